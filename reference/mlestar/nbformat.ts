/**
 * Structural validation of Jupyter notebooks against nbformat 4 (the rules of the official v4.5
 * JSON schema that a generated notebook can break): top-level keys, kernelspec and language_info,
 * cell kinds with their required and allowed keys, cell ids, multiline strings, code outputs.
 */

const CELL_KEYS: Record<string, { required: string[]; allowed: string[] }> = {
  markdown: { required: ['id', 'cell_type', 'metadata', 'source'], allowed: ['id', 'cell_type', 'metadata', 'source', 'attachments'] },
  raw: { required: ['id', 'cell_type', 'metadata', 'source'], allowed: ['id', 'cell_type', 'metadata', 'source', 'attachments'] },
  code: { required: ['id', 'cell_type', 'metadata', 'source', 'outputs', 'execution_count'], allowed: ['id', 'cell_type', 'metadata', 'source', 'outputs', 'execution_count'] },
};
const OUTPUT_KEYS: Record<string, string[]> = {
  execute_result: ['output_type', 'data', 'metadata', 'execution_count'],
  display_data: ['output_type', 'data', 'metadata'],
  stream: ['output_type', 'name', 'text'],
  error: ['output_type', 'ename', 'evalue', 'traceback'],
};
const CELL_ID = /^[a-zA-Z0-9-_]{1,64}$/;

/** Every way the document breaks nbformat 4; empty when it is a valid notebook. */
export function notebookProblems(document: unknown): string[] {
  const problems: string[] = [];
  if (!isObject(document)) return ['the notebook must be a JSON object'];
  for (const key of ['metadata', 'nbformat_minor', 'nbformat', 'cells']) if (!(key in document)) problems.push(`the notebook has no "${key}"`);
  for (const key of Object.keys(document)) if (!['metadata', 'nbformat_minor', 'nbformat', 'cells'].includes(key)) problems.push(`the notebook has an unknown top-level key "${key}"`);
  if (document.nbformat !== 4) problems.push(`nbformat is ${JSON.stringify(document.nbformat)}; expected 4`);
  const minor = document.nbformat_minor;
  if (!Number.isInteger(minor) || (minor as number) < 0) problems.push(`nbformat_minor is ${JSON.stringify(minor)}; expected a non-negative integer`);
  const idsRequired = Number.isInteger(minor) && (minor as number) >= 5;
  checkMetadata(document.metadata, problems);
  if (!Array.isArray(document.cells)) {
    if ('cells' in document) problems.push('"cells" must be a list');
    return problems;
  }
  const seenIds = new Set<string>();
  document.cells.forEach((cell, index) => checkCell(cell, `cell ${index}`, idsRequired, seenIds, problems));
  return problems;
}

function checkMetadata(metadata: unknown, problems: string[]): void {
  if (metadata === undefined) return;
  if (!isObject(metadata)) {
    problems.push('"metadata" must be an object');
    return;
  }
  if (metadata.kernelspec !== undefined) {
    const kernel = metadata.kernelspec;
    if (!isObject(kernel) || typeof kernel.name !== 'string' || typeof kernel.display_name !== 'string') {
      problems.push('metadata.kernelspec needs a string "name" and "display_name"');
    }
  }
  if (metadata.language_info !== undefined) {
    if (!isObject(metadata.language_info) || typeof metadata.language_info.name !== 'string') problems.push('metadata.language_info needs a string "name"');
  }
}

function checkCell(cell: unknown, where: string, idsRequired: boolean, seenIds: Set<string>, problems: string[]): void {
  if (!isObject(cell)) {
    problems.push(`${where} must be an object`);
    return;
  }
  const rules = CELL_KEYS[String(cell.cell_type)];
  if (!rules) {
    problems.push(`${where} has cell_type ${JSON.stringify(cell.cell_type)}; expected markdown, code or raw`);
    return;
  }
  for (const key of rules.required) {
    if (key === 'id' && !idsRequired) continue;
    if (!(key in cell)) problems.push(`${where} (${cell.cell_type}) has no "${key}"`);
  }
  for (const key of Object.keys(cell)) if (!rules.allowed.includes(key)) problems.push(`${where} (${cell.cell_type}) has an unknown key "${key}"`);
  if ('id' in cell) {
    if (typeof cell.id !== 'string' || !CELL_ID.test(cell.id)) problems.push(`${where} has id ${JSON.stringify(cell.id)}; expected 1-64 characters a-z, A-Z, 0-9, "-" or "_"`);
    else if (seenIds.has(cell.id)) problems.push(`${where} repeats the id "${cell.id}"; cell ids must be unique`);
    else seenIds.add(cell.id);
  }
  if ('metadata' in cell && !isObject(cell.metadata)) problems.push(`${where} metadata must be an object`);
  if ('source' in cell && !isMultilineString(cell.source)) problems.push(`${where} source must be a string or a list of strings`);
  if (cell.cell_type !== 'code') return;
  const count = cell.execution_count;
  if (count !== null && !(Number.isInteger(count) && (count as number) >= 0)) problems.push(`${where} execution_count is ${JSON.stringify(count)}; expected null or a non-negative integer`);
  if (!Array.isArray(cell.outputs)) {
    if ('outputs' in cell) problems.push(`${where} outputs must be a list`);
    return;
  }
  cell.outputs.forEach((output, i) => checkOutput(output, `${where} output ${i}`, problems));
}

function checkOutput(output: unknown, where: string, problems: string[]): void {
  if (!isObject(output)) {
    problems.push(`${where} must be an object`);
    return;
  }
  const keys = OUTPUT_KEYS[String(output.output_type)];
  if (!keys) {
    problems.push(`${where} has output_type ${JSON.stringify(output.output_type)}; expected ${Object.keys(OUTPUT_KEYS).join(', ')}`);
    return;
  }
  for (const key of keys) if (!(key in output)) problems.push(`${where} (${output.output_type}) has no "${key}"`);
  for (const key of Object.keys(output)) if (!keys.includes(key)) problems.push(`${where} (${output.output_type}) has an unknown key "${key}"`);
  if (output.output_type === 'stream' && !isMultilineString(output.text)) problems.push(`${where} text must be a string or a list of strings`);
}

function isMultilineString(value: unknown): boolean {
  return typeof value === 'string' || (Array.isArray(value) && value.every((line) => typeof line === 'string'));
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
