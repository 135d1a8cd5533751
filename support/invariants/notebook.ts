/**
 * A notebook checked by the suite itself (the target's own validation is not trusted) as
 * `nbformat.validate` checks it: against the official nbformat 4 JSON schema of the minor version
 * it declares (the newest for a later minor; support/invariants/nbformat/, copied from the nbformat
 * package), and for cell ids used twice, which the schema cannot see.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ErrorObject, ValidateFunction } from 'ajv';
import Ajv04 from 'ajv-draft-04';

const NEWEST_MINOR = 5;
const CELL_KINDS = ['raw', 'markdown', 'code'] as const;

interface SchemaValidators {
  notebook: ValidateFunction;
  cell: Record<(typeof CELL_KINDS)[number], ValidateFunction>;
}

const validators = new Map<number, SchemaValidators>();

function schemaValidators(minor: number): SchemaValidators {
  const version = Math.min(minor, NEWEST_MINOR);
  let found = validators.get(version);
  if (!found) {
    const schema = JSON.parse(readFileSync(join(__dirname, 'nbformat', `nbformat.v4.${version}.schema.json`), 'utf8')) as object;
    const ajv = new Ajv04({ allErrors: true, strict: false });
    ajv.addSchema(schema, 'nbformat');
    const cellOf = (kind: string) => ajv.compile({ $ref: `nbformat#/definitions/${kind}_cell` });
    found = { notebook: ajv.getSchema('nbformat') as ValidateFunction, cell: { raw: cellOf('raw'), markdown: cellOf('markdown'), code: cellOf('code') } };
    validators.set(version, found);
  }
  return found;
}

/** What keeps `document` from being a valid nbformat 4 notebook; empty when it is one. */
export function notebookProblems(document: unknown): string[] {
  if (typeof document !== 'object' || document === null || Array.isArray(document)) return ['not a JSON object'];
  const { nbformat, nbformat_minor: minor, cells } = document as Record<string, unknown>;
  if (nbformat !== 4) return [`nbformat is ${JSON.stringify(nbformat)}, not 4`];
  if (typeof minor !== 'number' || !Number.isInteger(minor) || minor < 0) return [`nbformat_minor is ${JSON.stringify(minor)}, not a whole number`];
  const schemas = schemaValidators(minor);
  if (schemas.notebook(document)) return repeatedIds(cells);
  const errors = schemas.notebook.errors ?? [];
  const outsideCells = errors.filter((error) => !/^\/cells\/\d+/.test(error.instancePath)).map((error) => describe(error));
  return [...new Set([...outsideCells, ...cellProblems(cells, schemas), ...repeatedIds(cells)])];
}

/** A cell is one of three kinds (oneOf): each is checked as the kind it claims to be only. */
function cellProblems(cells: unknown, schemas: SchemaValidators): string[] {
  if (!Array.isArray(cells)) return [];
  return cells.flatMap((cell: unknown, i) => {
    const kind = (cell as { cell_type?: unknown } | null)?.cell_type;
    if (!CELL_KINDS.includes(kind as (typeof CELL_KINDS)[number])) return [`/cells/${i}/cell_type: must be one of ${CELL_KINDS.join(', ')}, not ${JSON.stringify(kind)}`];
    const validate = schemas.cell[kind as (typeof CELL_KINDS)[number]];
    return validate(cell) ? [] : (validate.errors ?? []).map((error) => describe(error, `/cells/${i}`));
  });
}

function describe(error: ErrorObject, prefix = ''): string {
  const where = prefix + error.instancePath || '(the notebook)';
  const params = error.params as { additionalProperty?: string };
  const detail = params.additionalProperty ? ` ("${params.additionalProperty}")` : '';
  return `${where}: ${error.message ?? error.keyword}${detail}`;
}

function repeatedIds(cells: unknown): string[] {
  if (!Array.isArray(cells)) return [];
  const seen = new Set<string>();
  const repeated: string[] = [];
  for (const cell of cells as { id?: unknown }[]) {
    if (typeof cell?.id !== 'string') continue;
    if (seen.has(cell.id)) repeated.push(`cell id "${cell.id}" is used more than once`);
    seen.add(cell.id);
  }
  return repeated;
}
