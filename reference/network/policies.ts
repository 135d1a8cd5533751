import { NetworkError } from './errors';
import { NETWORK_FAULTS, type NetworkFaultFlags } from './faults';
import { POLICY_ACTIONS, PROTOCOLS, type NetworkPolicy, type PolicyAction, type Protocol } from './model';

export const DEFAULT_POLICY_PRIORITY = 100;

export interface PolicyInput {
  name?: unknown;
  source_network_id?: unknown;
  destination_network_id?: unknown;
  protocol?: unknown;
  ports?: unknown;
  action?: unknown;
  priority?: unknown;
}

export interface ValidPolicyInput {
  name: string;
  source_network_id: string;
  destination_network_id: string;
  protocol: Protocol;
  ports: number[];
  action: PolicyAction;
  priority: number;
}

const NAME = /^[a-z][a-z0-9-]{0,62}$/;

export function isPort(value: unknown): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value >= 1 && value <= 65535;
}

export function parseProtocol(value: unknown, field = 'protocol'): Protocol {
  if (typeof value === 'string' && (PROTOCOLS as readonly string[]).includes(value)) return value as Protocol;
  throw new NetworkError('invalid', `${field} ${JSON.stringify(value)} is not supported: expected one of ${PROTOCOLS.join(', ')}`, field);
}

/** Validates a policy request field by field; the first problem is reported. */
export function validatePolicyInput(input: PolicyInput): ValidPolicyInput {
  const { name, source_network_id, destination_network_id } = input;
  if (typeof name !== 'string' || !NAME.test(name)) {
    throw new NetworkError('invalid', `name ${JSON.stringify(name)} is invalid: expected 1-63 characters [a-z0-9-] starting with a letter`, 'name');
  }
  if (typeof source_network_id !== 'string' || source_network_id === '') {
    throw new NetworkError('invalid', 'source_network_id is required: expected the id of a network', 'source_network_id');
  }
  if (typeof destination_network_id !== 'string' || destination_network_id === '') {
    throw new NetworkError('invalid', 'destination_network_id is required: expected the id of a network', 'destination_network_id');
  }
  const protocol = parseProtocol(input.protocol ?? 'tcp');
  const ports = input.ports ?? [];
  if (!Array.isArray(ports) || !ports.every(isPort)) {
    throw new NetworkError('invalid', `ports ${JSON.stringify(ports)} is invalid: expected a list of port numbers 1-65535`, 'ports');
  }
  if ((protocol === 'icmp' || protocol === 'any') && ports.length > 0) {
    throw new NetworkError('invalid', `ports must be empty for protocol ${protocol}: ports apply to tcp and udp only`, 'ports');
  }
  const action = input.action ?? 'allow';
  if (typeof action !== 'string' || !(POLICY_ACTIONS as readonly string[]).includes(action)) {
    throw new NetworkError('invalid', `action ${JSON.stringify(action)} is invalid: expected allow or deny`, 'action');
  }
  const priority = input.priority ?? DEFAULT_POLICY_PRIORITY;
  if (typeof priority !== 'number' || !Number.isInteger(priority) || priority < 1 || priority > 1000) {
    throw new NetworkError('invalid', `priority ${JSON.stringify(priority)} is invalid: expected an integer 1-1000`, 'priority');
  }
  return {
    name,
    source_network_id,
    destination_network_id,
    protocol,
    ports: [...new Set(ports as number[])].sort((a, b) => a - b),
    action: action as PolicyAction,
    priority,
  };
}

/** Does the policy cover traffic from one network to another with this protocol and port? */
export function policyMatches(
  policy: NetworkPolicy,
  sourceNetworkId: string,
  destinationNetworkId: string,
  protocol: Protocol,
  port: number | null,
  faults: Pick<NetworkFaultFlags, 'policyIgnoresPorts' | 'policyBothDirections'> = NETWORK_FAULTS.none,
): boolean {
  const forward = policy.source_network_id === sourceNetworkId && policy.destination_network_id === destinationNetworkId;
  const backward = policy.source_network_id === destinationNetworkId && policy.destination_network_id === sourceNetworkId;
  if (!forward && !(faults.policyBothDirections && backward)) return false;
  if (policy.protocol !== 'any' && policy.protocol !== protocol) return false;
  if (policy.ports.length === 0 || faults.policyIgnoresPorts) return true;
  return port !== null && policy.ports.includes(port);
}

/** Evaluation order: priority; a stable sort keeps the older policy first among equals. */
export function byEvaluationOrder(a: NetworkPolicy, b: NetworkPolicy): number {
  return a.priority - b.priority;
}
