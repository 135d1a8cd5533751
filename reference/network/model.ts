/** Shapes of the network domain, as the API shows them (snake_case, ISO times). */

export const NETWORK_TYPES = ['bridged', 'nat', 'overlay'] as const;
export type NetworkType = (typeof NETWORK_TYPES)[number];

export const PROTOCOLS = ['tcp', 'udp', 'icmp', 'any'] as const;
export type Protocol = (typeof PROTOCOLS)[number];

export const POLICY_ACTIONS = ['allow', 'deny'] as const;
export type PolicyAction = (typeof POLICY_ACTIONS)[number];

export interface Network {
  id: string;
  name: string;
  subnet: string;
  type: NetworkType;
  gateway: string;
  created_at: string;
}

export interface Attachment {
  network_id: string;
  vm_id: string;
  ip_address: string;
  attached_at: string;
}

export interface NetworkPolicy {
  id: string;
  name: string;
  source_network_id: string;
  destination_network_id: string;
  protocol: Protocol;
  /** Destination ports the policy covers; empty means every port. */
  ports: number[];
  action: PolicyAction;
  /** Lower numbers are evaluated first. */
  priority: number;
  created_at: string;
}

/** What decided a connectivity verdict: a policy id, or one of the built-in rules. */
export type BuiltInRule = 'same-segment' | 'default-deny' | 'not-attached';

export interface ConnectivityVerdict {
  reachable: boolean;
  decided_by: string;
  rule: { kind: 'policy'; id: string; name: string; action: PolicyAction } | { kind: 'built-in'; id: BuiltInRule };
  reason: string;
  protocol: Protocol;
  port: number | null;
  source: { vm_id: string; network_id: string | null; ip_address: string | null };
  destination: { vm_id: string; network_id: string | null; ip_address: string | null };
}

export interface NetworkSnapshot {
  networks: Network[];
  attachments: Attachment[];
  policies: NetworkPolicy[];
}
