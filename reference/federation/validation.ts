import { FederationError } from './errors';
import type { NodeCapacity } from './resources';

/** Input checks of the federation domain: one readable line naming the field, the value and what was expected. */

const NAME = /^[a-z][a-z0-9-]{0,62}$/;
const NODE_ID = /^[a-z][a-z0-9-]{0,62}$/;
export const DEFAULT_PEER_NODES: readonly Omit<NodeCapacity, 'id'>[] = [
  { cpu: 16, memory_mb: 65536 },
  { cpu: 16, memory_mb: 65536 },
  { cpu: 16, memory_mb: 65536 },
];

export interface MemberInput {
  name?: unknown;
  region?: unknown;
  endpoint?: unknown;
  nodes?: unknown;
}

export interface ValidMemberInput {
  name: string;
  region: string;
  endpoint: string;
  nodes: NodeCapacity[];
}

export interface VmRequestInput {
  name?: unknown;
  cpu_shares?: unknown;
  memory_mb?: unknown;
  target_cluster?: unknown;
}

export interface ValidVmRequest {
  name: string;
  cpu_shares: number;
  memory_mb: number;
  target_cluster?: string;
}

export function checkName(value: unknown, field = 'name'): string {
  if (typeof value !== 'string' || !NAME.test(value)) {
    throw new FederationError('invalid', `${field} ${JSON.stringify(value)} is invalid: expected 1-63 characters [a-z0-9-] starting with a letter`, field);
  }
  return value;
}

export function checkInteger(value: unknown, field: string, min: number, max: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw new FederationError('invalid', `${field} ${JSON.stringify(value)} is invalid: expected an integer from ${min} to ${max}`, field);
  }
  return value;
}

export function validateMemberInput(input: MemberInput): ValidMemberInput {
  const name = checkName(input.name);
  const region = checkName(input.region ?? 'default', 'region');
  const endpoint = input.endpoint ?? `sim://${name}`;
  if (typeof endpoint !== 'string' || endpoint === '') {
    throw new FederationError('invalid', `endpoint ${JSON.stringify(endpoint)} is invalid: expected a URL-like string`, 'endpoint');
  }
  return { name, region, endpoint, nodes: validateNodes(input.nodes ?? DEFAULT_PEER_NODES, name) };
}

export function validateNodes(value: unknown, clusterName: string): NodeCapacity[] {
  if (!Array.isArray(value) || value.length < 1 || value.length > 64) {
    throw new FederationError('invalid', `nodes ${JSON.stringify(value)} is invalid: expected a list of 1 to 64 nodes`, 'nodes');
  }
  const nodes = value.map((raw: unknown, index): NodeCapacity => {
    const node = (raw ?? {}) as Record<string, unknown>;
    const id = node.id ?? `${clusterName}-node-${index + 1}`;
    if (typeof id !== 'string' || !NODE_ID.test(id)) {
      throw new FederationError('invalid', `nodes[${index}].id ${JSON.stringify(id)} is invalid: expected [a-z0-9-] starting with a letter`, `nodes[${index}].id`);
    }
    return {
      id,
      cpu: checkInteger(node.cpu, `nodes[${index}].cpu`, 1, 512),
      memory_mb: checkInteger(node.memory_mb, `nodes[${index}].memory_mb`, 512, 4_194_304),
    };
  });
  const ids = nodes.map((n) => n.id);
  const duplicate = ids.find((id, i) => ids.indexOf(id) !== i);
  if (duplicate) throw new FederationError('invalid', `nodes contains the id "${duplicate}" twice: expected unique node ids`, 'nodes');
  return nodes;
}

export function validateVmRequest(input: VmRequestInput): ValidVmRequest {
  const request: ValidVmRequest = {
    name: checkName(input.name),
    cpu_shares: checkInteger(input.cpu_shares ?? 1, 'cpu_shares', 1, 64),
    memory_mb: checkInteger(input.memory_mb ?? 512, 'memory_mb', 128, 262_144),
  };
  if (input.target_cluster !== undefined && input.target_cluster !== null) {
    if (typeof input.target_cluster !== 'string' || input.target_cluster === '') {
      throw new FederationError('invalid', `target_cluster ${JSON.stringify(input.target_cluster)} is invalid: expected a member id or name`, 'target_cluster');
    }
    request.target_cluster = input.target_cluster;
  }
  return request;
}
