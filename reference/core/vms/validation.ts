import { invalidInput, type FieldError } from '../../http/errors';
import { isVmState, VM_STATES, type VmState } from './model';

/** A validated VM request; `node_id` undefined lets the scheduler choose. */
export interface VmSpec {
  name: string;
  cpu_shares: number;
  memory_mb: number;
  disk_gb: number;
  image: string;
  tags: string[];
  node_id?: string;
}

const VM_DEFAULTS = { cpu_shares: 1, memory_mb: 512, disk_gb: 10, image: 'ubuntu-24.04' } as const;

const VM_NAME = /^[a-z][a-z0-9-]{0,62}$/;
const IMAGE = /^[A-Za-z0-9][A-Za-z0-9._:/-]{0,127}$/;
const NODE_ID = /^[a-z0-9][a-z0-9-]{0,62}$/;
const TAG = /^[^\s,]{1,64}$/;
const MAX_TAGS = 32;
const FIELDS = ['name', 'cpu_shares', 'memory_mb', 'disk_gb', 'image', 'tags', 'node_id'];

const RANGES = {
  cpu_shares: [1, 64],
  memory_mb: [128, 262_144],
  disk_gb: [1, 4096],
} as const;

/**
 * Checks a `POST /api/v1/vms` body and fills in the defaults; throws a 400 whose details name
 * every invalid field. `lenient` (fault vm-accepts-invalid-spec) only requires a name string.
 */
export function validateVmSpec(body: unknown, lenient = false): VmSpec {
  if (!body || typeof body !== 'object' || Array.isArray(body)) throw invalidInput('VM request', [{ field: 'body', message: 'must be a JSON object' }]);
  const input = body as Record<string, unknown>;
  if (lenient) {
    if (typeof input.name !== 'string') throw invalidInput('VM request', [{ field: 'name', message: 'is required' }]);
    return { ...VM_DEFAULTS, tags: [], ...(input as Partial<VmSpec>), name: input.name };
  }
  const details: FieldError[] = [];
  if (input.name === undefined || input.name === '') {
    details.push({ field: 'name', message: 'is required' });
  } else if (typeof input.name !== 'string' || !VM_NAME.test(input.name)) {
    details.push({ field: 'name', message: 'must be 1 to 63 characters of a-z, 0-9 and -, starting with a letter' });
  }
  for (const field of ['cpu_shares', 'memory_mb', 'disk_gb'] as const) {
    const value = input[field];
    const [min, max] = RANGES[field];
    if (value !== undefined && (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max)) {
      details.push({ field, message: `must be a whole number from ${min} to ${max}` });
    }
  }
  if (input.image !== undefined && (typeof input.image !== 'string' || !IMAGE.test(input.image))) {
    details.push({ field: 'image', message: 'must be an image name of at most 128 characters (letters, digits, . _ : / -)' });
  }
  if (input.tags !== undefined) {
    const tags = input.tags;
    if (!Array.isArray(tags) || tags.length > MAX_TAGS || !tags.every((tag) => typeof tag === 'string' && TAG.test(tag))) {
      details.push({ field: 'tags', message: `must be a list of at most ${MAX_TAGS} tags, each 1 to 64 characters without spaces or commas` });
    }
  }
  if (input.node_id !== undefined && (typeof input.node_id !== 'string' || !NODE_ID.test(input.node_id))) {
    details.push({ field: 'node_id', message: 'must be a node id such as node-1' });
  }
  for (const field of Object.keys(input)) {
    if (!FIELDS.includes(field)) details.push({ field, message: 'is not a known field' });
  }
  if (details.length > 0) throw invalidInput('VM request', details);
  return {
    name: input.name as string,
    cpu_shares: (input.cpu_shares as number | undefined) ?? VM_DEFAULTS.cpu_shares,
    memory_mb: (input.memory_mb as number | undefined) ?? VM_DEFAULTS.memory_mb,
    disk_gb: (input.disk_gb as number | undefined) ?? VM_DEFAULTS.disk_gb,
    image: (input.image as string | undefined) ?? VM_DEFAULTS.image,
    tags: [...new Set((input.tags as string[] | undefined) ?? [])],
    node_id: input.node_id as string | undefined,
  };
}

export interface VmListQuery {
  state?: VmState;
  namePrefix?: string;
  tag?: string;
  page: number;
  pageSize: number;
}

const MAX_PAGE_SIZE = 500;
const LIST_PARAMETERS = ['state', 'name_prefix', 'tag', 'page', 'page_size'];

/** `?state=&name_prefix=&tag=&page=&page_size=`; throws a 400 naming every invalid parameter. */
export function validateListQuery(query: URLSearchParams): VmListQuery {
  const details: FieldError[] = [];
  const state = query.get('state') ?? undefined;
  if (state !== undefined && !isVmState(state)) details.push({ field: 'state', message: `must be one of ${VM_STATES.join(', ')}` });
  const page = wholeNumber(query.get('page'), 1, 1, 1_000_000, 'page', details);
  const pageSize = wholeNumber(query.get('page_size'), 50, 1, MAX_PAGE_SIZE, 'page_size', details);
  for (const name of query.keys()) {
    if (!LIST_PARAMETERS.includes(name)) details.push({ field: name, message: 'is not a known query parameter' });
  }
  if (details.length > 0) throw invalidInput('VM list query', details);
  return {
    state: state as VmState | undefined,
    namePrefix: query.get('name_prefix') ?? undefined,
    tag: query.get('tag') ?? undefined,
    page,
    pageSize,
  };
}

function wholeNumber(value: string | null, fallback: number, min: number, max: number, field: string, details: FieldError[]): number {
  if (value === null) return fallback;
  const number = Number(value);
  if (!/^\d+$/.test(value) || number < min || number > max) {
    details.push({ field, message: `must be a whole number from ${min} to ${max}` });
    return fallback;
  }
  return number;
}
