/**
 * The rules of the official nbformat 4 schemas that a generated notebook must follow, checked by
 * the suite itself (the target's own validation is not trusted).
 */

const NOTEBOOK_CELL_KEYS: Record<string, { required: string[]; allowed: string[] }> = {
  markdown: { required: ['cell_type', 'metadata', 'source'], allowed: ['id', 'cell_type', 'metadata', 'source', 'attachments'] },
  raw: { required: ['cell_type', 'metadata', 'source'], allowed: ['id', 'cell_type', 'metadata', 'source', 'attachments'] },
  code: { required: ['cell_type', 'metadata', 'source', 'outputs', 'execution_count'], allowed: ['id', 'cell_type', 'metadata', 'source', 'outputs', 'execution_count'] },
};

/** Problems with a document as an nbformat 4 notebook (the rules of the official v4 schemas). */
export function notebookProblems(document: unknown): string[] {
  const problems: string[] = [];
  const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
  const isText = (v: unknown) => typeof v === 'string' || (Array.isArray(v) && v.every((l) => typeof l === 'string'));
  if (!isObject(document)) return ['not a JSON object'];
  for (const key of Object.keys(document)) if (!['metadata', 'nbformat', 'nbformat_minor', 'cells'].includes(key)) problems.push(`unknown top-level key "${key}"`);
  if (document.nbformat !== 4) problems.push(`nbformat is ${JSON.stringify(document.nbformat)}, not 4`);
  const minor = document.nbformat_minor;
  if (!Number.isInteger(minor) || (minor as number) < 0) problems.push(`nbformat_minor is ${JSON.stringify(minor)}`);
  if (!isObject(document.metadata)) problems.push('metadata is not an object');
  const kernel = isObject(document.metadata) ? document.metadata.kernelspec : undefined;
  if (kernel !== undefined && !(isObject(kernel) && typeof kernel.name === 'string' && typeof kernel.display_name === 'string')) problems.push('kernelspec lacks name or display_name');
  if (!Array.isArray(document.cells)) return [...problems, 'cells is not a list'];
  const ids = new Set<string>();
  document.cells.forEach((cell, i) => {
    if (!isObject(cell)) return problems.push(`cell ${i} is not an object`);
    const rules = NOTEBOOK_CELL_KEYS[String(cell.cell_type)];
    if (!rules) return problems.push(`cell ${i} has cell_type ${JSON.stringify(cell.cell_type)}`);
    const required = (minor as number) >= 5 ? ['id', ...rules.required] : rules.required;
    for (const key of required) if (!(key in cell)) problems.push(`cell ${i} (${cell.cell_type}) has no ${key}`);
    for (const key of Object.keys(cell)) if (!rules.allowed.includes(key)) problems.push(`cell ${i} (${cell.cell_type}) has an unknown key ${key}`);
    if ('id' in cell) {
      if (typeof cell.id !== 'string' || !/^[a-zA-Z0-9-_]{1,64}$/.test(cell.id) || ids.has(cell.id)) problems.push(`cell ${i} has an invalid or repeated id ${JSON.stringify(cell.id)}`);
      else ids.add(cell.id);
    }
    if (!isText(cell.source)) problems.push(`cell ${i} source is not text`);
    if (cell.cell_type === 'code') {
      if ('outputs' in cell && !Array.isArray(cell.outputs)) problems.push(`cell ${i} outputs is not a list`);
      const count = cell.execution_count;
      if ('execution_count' in cell && count !== null && !(Number.isInteger(count) && (count as number) >= 0)) problems.push(`cell ${i} execution_count is ${JSON.stringify(count)}`);
    }
    return undefined;
  });
  return problems;
}
