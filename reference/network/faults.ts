import type { FaultDefinition } from '../faults';

/** The network defects the fabric can be switched into (documented below). */
export const NETWORK_FAULTS = {
  gatewayIsNetworkAddress: 'network-gateway-is-network-address',
  acceptsOverlap: 'network-accepts-overlapping-subnets',
  acceptsHostBits: 'network-accepts-host-bits',
  duplicateAddresses: 'network-duplicate-addresses',
  defaultAllow: 'network-default-allow',
  policyIgnoresPorts: 'network-policy-ignores-ports',
  policyBothDirections: 'network-policy-both-directions',
  deletedPolicyCached: 'network-deleted-policy-still-enforced',
  firstInterfaceOnly: 'network-connectivity-first-interface-only',
} as const;

export type NetworkFaultFlags = { readonly [K in keyof typeof NETWORK_FAULTS]: boolean };

export const NO_NETWORK_FAULTS: NetworkFaultFlags = Object.freeze({
  gatewayIsNetworkAddress: false,
  acceptsOverlap: false,
  acceptsHostBits: false,
  duplicateAddresses: false,
  defaultAllow: false,
  policyIgnoresPorts: false,
  policyBothDirections: false,
  deletedPolicyCached: false,
  firstInterfaceOnly: false,
});

export function networkFaultFlags(faults: { has(name: string): boolean }): NetworkFaultFlags {
  const flags = { ...NO_NETWORK_FAULTS } as Record<keyof typeof NETWORK_FAULTS, boolean>;
  for (const key of Object.keys(NETWORK_FAULTS) as (keyof typeof NETWORK_FAULTS)[]) flags[key] = faults.has(NETWORK_FAULTS[key]);
  return flags;
}

// Scenario titles of features/system/backend/network-isolation.feature.
export const NETWORK_SCENARIOS = {
  segmentCreated: 'A segment gets a validated subnet and a gateway inside it',
  subnetRefused: 'An invalid or overlapping subnet is refused with the reason',
  distinctAddresses: 'Machines attached to a segment get distinct addresses inside it',
  defaultDeny: 'Traffic between segments is denied by default while it flows inside a segment',
  policyScope: 'A policy opens exactly the ports and the direction it names',
  everyView: 'Any sequence of operations keeps every view of the networks and their policies consistent',
} as const;

const S = NETWORK_SCENARIOS;

export const faults: FaultDefinition[] = [
  {
    name: NETWORK_FAULTS.gatewayIsNetworkAddress,
    description: 'A segment created without a gateway gets its network address (e.g. 10.0.1.0) as gateway instead of the first host address.',
    scenarios: [S.segmentCreated, S.everyView],
  },
  {
    name: NETWORK_FAULTS.acceptsOverlap,
    description: 'Creating a segment does not check its subnet against the existing segments, so overlapping subnets are accepted.',
    scenarios: [S.subnetRefused, S.everyView],
  },
  {
    name: NETWORK_FAULTS.acceptsHostBits,
    description: 'A subnet with host bits set (10.0.1.7/24) is silently masked to its network instead of being refused.',
    scenarios: [S.subnetRefused, S.everyView],
  },
  {
    name: NETWORK_FAULTS.duplicateAddresses,
    description: 'Address allocation ignores the addresses already in use, so every machine on a segment gets the same address.',
    scenarios: [S.distinctAddresses, S.everyView],
  },
  {
    name: NETWORK_FAULTS.defaultAllow,
    description: 'Traffic between segments that no policy matches is allowed instead of denied.',
    scenarios: [S.defaultDeny, S.policyScope, S.everyView],
  },
  {
    name: NETWORK_FAULTS.policyIgnoresPorts,
    description: 'A policy matches every port of its protocol, not only the ports it lists.',
    scenarios: [S.policyScope, S.everyView],
  },
  {
    name: NETWORK_FAULTS.policyBothDirections,
    description: 'A policy from segment A to segment B also lets B reach A.',
    scenarios: [S.policyScope, S.everyView],
  },
  {
    name: NETWORK_FAULTS.deletedPolicyCached,
    description: 'Deleting a policy forgets to drop the cached evaluation order, so the deleted policy keeps deciding connectivity until another policy is created.',
    scenarios: [S.everyView],
  },
  {
    name: NETWORK_FAULTS.firstInterfaceOnly,
    description: 'The connectivity test looks at the first interface of each VM only, so a VM on several segments is judged by one of them.',
    scenarios: [S.everyView],
  },
];
