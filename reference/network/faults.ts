import { defineFaults, type FaultFlags } from '../define-faults';

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

export const NETWORK_FAULTS = defineFaults({
  gatewayIsNetworkAddress: {
    name: 'network-gateway-is-network-address',
    description: 'A segment created without a gateway gets its network address (e.g. 10.0.1.0) as gateway instead of the first host address.',
    scenarios: [S.segmentCreated, S.everyView],
  },
  acceptsOverlap: {
    name: 'network-accepts-overlapping-subnets',
    description: 'Creating a segment does not check its subnet against the existing segments, so overlapping subnets are accepted.',
    scenarios: [S.subnetRefused, S.everyView],
  },
  acceptsHostBits: {
    name: 'network-accepts-host-bits',
    description: 'A subnet with host bits set (10.0.1.7/24) is silently masked to its network instead of being refused.',
    scenarios: [S.subnetRefused, S.everyView],
  },
  duplicateAddresses: {
    name: 'network-duplicate-addresses',
    description: 'Address allocation ignores the addresses already in use, so every machine on a segment gets the same address.',
    scenarios: [S.distinctAddresses, S.everyView],
  },
  defaultAllow: {
    name: 'network-default-allow',
    description: 'Traffic between segments that no policy matches is allowed instead of denied.',
    scenarios: [S.defaultDeny, S.policyScope, S.everyView],
  },
  policyIgnoresPorts: {
    name: 'network-policy-ignores-ports',
    description: 'A policy matches every port of its protocol, not only the ports it lists.',
    scenarios: [S.policyScope, S.everyView],
  },
  policyBothDirections: {
    name: 'network-policy-both-directions',
    description: 'A policy from segment A to segment B also lets B reach A.',
    scenarios: [S.policyScope, S.everyView],
  },
  deletedPolicyCached: {
    name: 'network-deleted-policy-still-enforced',
    description: 'Deleting a policy forgets to drop the cached evaluation order, so the deleted policy keeps deciding connectivity until another policy is created.',
    scenarios: [S.everyView],
  },
  firstInterfaceOnly: {
    name: 'network-connectivity-first-interface-only',
    description: 'The connectivity test looks at the first interface of each VM only, so a VM on several segments is judged by one of them.',
    scenarios: [S.everyView],
  },
});

export type NetworkFaultFlags = FaultFlags<typeof NETWORK_FAULTS>;
