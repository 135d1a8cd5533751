import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import Ajv2020, { type ErrorObject, type ValidateFunction } from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import { parse as parseYaml } from 'yaml';

const CONTRACT_DIR = join(__dirname, '..', 'contract');
const DOCUMENT_ID = 'novacron-openapi';

type Json = Record<string, unknown>;

export interface ContractCheck {
  /** The documented path template, e.g. `/api/v1/vms/{id}`, when the path is documented. */
  template?: string;
  /** Empty when the response conforms. Each entry is one readable sentence. */
  problems: string[];
}

/** What the contract says of the operation a request calls. */
export interface OperationInfo {
  /** `POST /api/v1/vms/{id}/start`; the bare path when the contract documents none. */
  key: string;
  template?: string;
  /** The test-support capability the operation belongs to (`x-test-support`), e.g. `load-injection`. */
  testSupport?: string;
  /** The part of the API it belongs to: its most specific tag other than test-support (`vms`, `migration`...). */
  area?: string;
  /** The statuses the contract documents for it (`200`, `4XX`, `default`...). */
  statuses: string[];
}

export class ContractViolation extends Error {
  constructor(
    readonly operation: string,
    readonly problems: string[],
  ) {
    super(`${operation} breaks the contract:\n  - ${problems.join('\n  - ')}`);
    this.name = 'ContractViolation';
  }
}

/** Merges `contract/openapi.yaml` with every `contract/domains/*.yaml`; a key defined twice is an error. */
export function loadContractDocument(dir = CONTRACT_DIR): Json {
  const root = readYaml(join(dir, 'openapi.yaml'));
  const domainsDir = join(dir, 'domains');
  let domainFiles: string[] = [];
  try {
    domainFiles = readdirSync(domainsDir).filter((f) => /\.ya?ml$/.test(f)).sort();
  } catch {
    domainFiles = [];
  }
  for (const file of domainFiles) {
    const fragment = readYaml(join(domainsDir, file));
    mergeSection(root, fragment, 'paths', file);
    const components = (fragment.components ?? {}) as Json;
    const rootComponents = (root.components ??= {}) as Json;
    for (const [section, entries] of Object.entries(components)) {
      const target = (rootComponents[section] ??= {}) as Json;
      for (const [name, value] of Object.entries(entries as Json)) {
        if (name in target) throw new Error(`contract/domains/${file}: components.${section}.${name} is already defined elsewhere`);
        target[name] = value;
      }
    }
  }
  return root;
}

function readYaml(path: string): Json {
  let parsed: unknown;
  try {
    parsed = parseYaml(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new Error(`${path} is not valid YAML: ${(error as Error).message.split('\n')[0]}`);
  }
  if (!parsed || typeof parsed !== 'object') throw new Error(`${path} must hold a YAML mapping`);
  return parsed as Json;
}

function mergeSection(root: Json, fragment: Json, section: 'paths', file: string): void {
  const target = (root[section] ??= {}) as Json;
  for (const [key, value] of Object.entries((fragment[section] ?? {}) as Json)) {
    if (key in target) throw new Error(`contract/domains/${file}: ${section} "${key}" is already defined elsewhere`);
    target[key] = value;
  }
}

interface PathMatcher {
  template: string;
  pattern: RegExp;
  literalSegments: number;
}

let shared: { document: Json; contract?: Contract } | undefined;

/** `contract/` as read once per process: a worker's, or the many runs of the mutation runner's. */
export function contractDocument(): Json {
  return (shared ??= { document: loadContractDocument() }).document;
}

/** The contract compiled once per process (its validators are compiled on first use and kept). */
export function theContract(): Contract {
  const loaded = (shared ??= { document: loadContractDocument() });
  return (loaded.contract ??= new Contract(loaded.document));
}

/** Validates responses against the OpenAPI 3.1 contract (Ajv 2020, whole document compiled once). */
export class Contract {
  private readonly ajv: Ajv2020;
  private readonly matchers: PathMatcher[];
  private readonly validators = new Map<string, ValidateFunction | null>();

  constructor(readonly document: Json = loadContractDocument()) {
    this.ajv = new Ajv2020({ strict: false, allErrors: true, validateFormats: true });
    addFormats(this.ajv);
    this.ajv.addSchema(document, DOCUMENT_ID);
    this.matchers = Object.keys((document.paths ?? {}) as Json)
      .map((template) => ({
        template,
        pattern: new RegExp(`^${template.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\\?\{[^}]+\\?\}/g, '[^/]+')}$`),
        literalSegments: template.split('/').filter((s) => s && !s.startsWith('{')).length,
      }))
      // Prefer the most specific template: /vms/{id}/start before /vms/{id}/{action}.
      .sort((a, b) => b.literalSegments - a.literalSegments);
  }

  templateFor(path: string): string | undefined {
    const bare = path.split('?')[0];
    return this.matchers.find((m) => m.pattern.test(bare))?.template;
  }

  check(method: string, path: string, status: number, body: unknown, contentType?: string): ContractCheck {
    const template = this.templateFor(path);
    const verb = method.toLowerCase();
    if (!template) return { problems: [`the contract documents no path matching ${path}`] };
    const operation = ((this.document.paths as Json)[template] as Json)[verb] as Json | undefined;
    if (!operation) return { template, problems: [`the contract documents no ${method.toUpperCase()} on ${template}`] };
    const responses = (operation.responses ?? {}) as Json;
    const statusKey = [String(status), `${String(status)[0]}XX`, 'default'].find((k) => k in responses);
    if (!statusKey) {
      return { template, problems: [`a ${status} answer is not documented (documented: ${Object.keys(responses).join(', ')})`] };
    }
    const response = this.resolve(responses[statusKey] as Json);
    const content = response.content as Json | undefined;
    if (!content) {
      const empty = body === undefined || body === null || body === '';
      return { template, problems: empty ? [] : ['the contract documents no body for this answer, but one was sent'] };
    }
    if (contentType && !contentType.includes('json')) {
      return { template, problems: [`the body should be JSON, but its content type is "${contentType}"`] };
    }
    const validate = this.validatorFor(template, verb, statusKey, responses[statusKey] as Json);
    if (!validate || validate(body)) return { template, problems: [] };
    return { template, problems: describeErrors(validate.errors ?? [], body) };
  }

  /** The success statuses (2xx) the contract documents for an operation, e.g. [201] for creating a VM; empty when undocumented. */
  successStatuses(method: string, path: string): number[] {
    const template = this.templateFor(path);
    const operation = template ? (((this.document.paths as Json)[template] as Json)[method.toLowerCase()] as Json | undefined) : undefined;
    return Object.keys((operation?.responses ?? {}) as Json)
      .filter((status) => /^2\d\d$/.test(status))
      .map(Number);
  }

  describe(method: string, path: string): OperationInfo {
    const template = this.templateFor(path);
    const key = this.operationName(method, path);
    const operation = template ? (((this.document.paths as Json)[template] as Json)[method.toLowerCase()] as Json | undefined) : undefined;
    if (!operation) return { key, ...(template ? { template } : {}), statuses: [] };
    const area = ((operation.tags ?? []) as string[]).filter((tag) => tag !== 'test-support').pop();
    const testSupport = operation['x-test-support'];
    return {
      key,
      template,
      ...(typeof testSupport === 'string' ? { testSupport } : {}),
      ...(area ? { area } : {}),
      statuses: Object.keys((operation.responses ?? {}) as Json),
    };
  }

  operationName(method: string, path: string): string {
    return `${method.toUpperCase()} ${this.templateFor(path) ?? path.split('?')[0]}`;
  }

  private resolve(node: Json): Json {
    let current = node;
    for (let depth = 0; typeof current.$ref === 'string' && depth < 10; depth++) {
      current = pointer(this.document, current.$ref as string) as Json;
    }
    return current;
  }

  private validatorFor(template: string, verb: string, statusKey: string, response: Json): ValidateFunction | null {
    const key = `${verb} ${template} ${statusKey}`;
    if (this.validators.has(key)) return this.validators.get(key) ?? null;
    let responsePointer = `#/paths/${escapePointer(template)}/${verb}/responses/${statusKey}`;
    if (typeof response.$ref === 'string') responsePointer = response.$ref;
    const resolved = this.resolve(response);
    const mediaType = Object.keys((resolved.content ?? {}) as Json).find((m) => m.includes('json'));
    const validate = mediaType
      ? (this.ajv.getSchema(`${DOCUMENT_ID}${responsePointer}/content/${escapePointer(mediaType)}/schema`) ?? null)
      : null;
    this.validators.set(key, validate);
    return validate;
  }
}

function escapePointer(segment: string): string {
  return segment.replace(/~/g, '~0').replace(/\//g, '~1');
}

function pointer(document: Json, ref: string): unknown {
  if (!ref.startsWith('#/')) throw new Error(`only local references are supported, got ${ref}`);
  return ref
    .slice(2)
    .split('/')
    .map((part) => part.replace(/~1/g, '/').replace(/~0/g, '~'))
    .reduce<unknown>((node, part) => (node as Json | undefined)?.[part], document);
}

function describeErrors(errors: ErrorObject[], body: unknown): string[] {
  const seen = new Set<string>();
  const lines: string[] = [];
  for (const error of errors) {
    if (error.keyword === 'if') continue;
    const where = error.instancePath || '(the body)';
    let line: string;
    if (error.keyword === 'required') {
      line = `${where === '(the body)' ? '' : where + ': '}missing required field "${(error.params as { missingProperty: string }).missingProperty}"`;
    } else if (error.keyword === 'additionalProperties') {
      line = `${where === '(the body)' ? '' : where + ': '}unexpected field "${(error.params as { additionalProperty: string }).additionalProperty}"`;
    } else {
      const actual = JSON.stringify(pointer({ root: body } as Json, `#/root${error.instancePath}`));
      const allowed = error.keyword === 'enum' ? ` ${JSON.stringify((error.params as { allowedValues: unknown[] }).allowedValues)}` : '';
      line = `${where} ${error.message ?? 'is invalid'}${allowed} (got ${actual === undefined ? 'nothing' : truncate(actual)})`;
    }
    if (!seen.has(line)) {
      seen.add(line);
      lines.push(line);
    }
  }
  return lines.slice(0, 10);
}

function truncate(text: string): string {
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}
