import type { FaultDefinition } from '../faults';
import { STORAGE_SCENARIOS } from '../storage/faults';

/** The federation and live-migration defects the reference can be switched into (documented below). */
export const FEDERATION_FAULTS = {
  placesOnRequester: 'federation-places-on-requester',
  replicationSkipsPeers: 'federation-replication-skips-peers',
  acceptsUnreachable: 'federation-accepts-unreachable-members',
  outageStopsAll: 'federation-outage-stops-all-members',
  statusOmitsPeers: 'federation-status-omits-peers',
  dropsUpdatesForUnreachable: 'federation-drops-updates-for-unreachable',
  statusSummaryIgnoresUnreachable: 'federation-status-summary-ignores-unreachable',
  newMemberMissesRecords: 'federation-new-member-misses-records',
  memberLeavesWithVms: 'federation-member-leaves-with-vms',
} as const;

export const MIGRATION_FAULTS = {
  staysOnSource: 'migration-stays-on-source',
  skipsPhases: 'migration-skips-phases',
  unreachableDuringSwitchover: 'migration-unreachable-during-switchover',
  ignoresNodeCapacity: 'migration-ignores-node-capacity',
  acceptsUnknownNode: 'migration-accepts-unknown-node',
  historyMissing: 'migration-history-missing',
  leavesMigrating: 'migration-leaves-vm-migrating',
  concurrentBothAccepted: 'migration-concurrent-requests-both-accepted',
  nodesCountStopped: 'migration-nodes-count-stopped-vms',
  completesBeforeVmMoves: 'migration-completes-before-vm-moves',
} as const;

export type FederationFaultFlags = { readonly [K in keyof typeof FEDERATION_FAULTS]: boolean };
export type MigrationFaultFlags = { readonly [K in keyof typeof MIGRATION_FAULTS]: boolean };

export const NO_FEDERATION_FAULTS: FederationFaultFlags = Object.freeze(flagsOf(FEDERATION_FAULTS, () => false));
export const NO_MIGRATION_FAULTS: MigrationFaultFlags = Object.freeze(flagsOf(MIGRATION_FAULTS, () => false));

export function federationFaultFlags(faults: { has(name: string): boolean }): FederationFaultFlags {
  return flagsOf(FEDERATION_FAULTS, (name) => faults.has(name));
}

export function migrationFaultFlags(faults: { has(name: string): boolean }): MigrationFaultFlags {
  return flagsOf(MIGRATION_FAULTS, (name) => faults.has(name));
}

function flagsOf<K extends string>(names: Record<K, string>, on: (name: string) => boolean): Record<K, boolean> {
  return Object.fromEntries(Object.entries(names).map(([key, name]) => [key, on(name as string)])) as Record<K, boolean>;
}

// Scenario titles of features/system/backend/federation.feature.
export const FEDERATION_SCENARIOS = {
  status: 'The federation status shows every member',
  createdElsewhere: 'A machine requested through one cluster is created in another',
  autoPlacement: 'Without a named cluster, a machine is placed on another cluster of the same region',
  replicated: "Every member holds the same version of a federated machine's record",
  unreachable: 'Requests to an unreachable member fail clearly while the others keep working',
  catchesUp: 'A member that was unreachable catches up once it is back',
} as const;

// Scenario titles of features/system/backend/vm-migration.feature.
export const MIGRATION_SCENARIOS = {
  migratesLive: 'A running machine migrates live to another node',
  answersThroughout: 'The machine answers throughout its live migration',
  refused: 'A migration to an unknown, full or current node is refused',
  history: "The machine's history records its migration",
  usageContinues: 'A migrated machine keeps reporting its usage',
} as const;

/** The model-based scenario of features/system/backend/model-federation.feature. */
export const FEDERATION_MODEL_SCENARIO = 'Any sequence of federation operations places every machine by the rules and keeps every view consistent';

/** The model-based scenario of features/system/backend/vm-migration.feature. */
export const MIGRATION_MODEL_SCENARIO = 'Any sequence of migrations keeps every machine, migration and node consistent';

const F = FEDERATION_SCENARIOS;
const M = MIGRATION_SCENARIOS;

export const faults: FaultDefinition[] = [
  {
    name: FEDERATION_FAULTS.placesOnRequester,
    description: 'A federated VM is placed on the cluster the request came through, whatever the target or the placement rule says.',
    scenarios: [F.createdElsewhere, F.autoPlacement],
  },
  {
    name: FEDERATION_FAULTS.replicationSkipsPeers,
    description: 'The owner of a VM record replicates it only to the cluster the request came through, never to the other peers.',
    scenarios: [F.replicated, F.catchesUp],
  },
  {
    name: FEDERATION_FAULTS.acceptsUnreachable,
    description: 'Requests through or to an unreachable member are accepted as if it answered.',
    scenarios: [F.unreachable],
  },
  {
    name: FEDERATION_FAULTS.outageStopsAll,
    description: 'While any member is unreachable, requests to every member are refused.',
    scenarios: [F.unreachable],
  },
  {
    name: FEDERATION_FAULTS.statusOmitsPeers,
    description: 'The federation status lists the local cluster only.',
    scenarios: [F.status],
  },
  {
    name: FEDERATION_FAULTS.dropsUpdatesForUnreachable,
    description: 'Record updates due to an unreachable member are dropped instead of kept for when it is back.',
    scenarios: [F.catchesUp],
  },
  {
    name: FEDERATION_FAULTS.statusSummaryIgnoresUnreachable,
    description:
      'The summary of the federation status counts every member as reachable and calls the federation healthy, while its list of members shows one unreachable.',
    scenarios: [F.unreachable],
  },
  {
    name: FEDERATION_FAULTS.newMemberMissesRecords,
    description: 'A peer that joins receives only the records written after it joined, none of those the federation already held.',
    scenarios: [FEDERATION_MODEL_SCENARIO],
  },
  {
    name: FEDERATION_FAULTS.memberLeavesWithVms,
    description: 'A peer that still runs federated VMs may leave the federation, and the records of its VMs are lost with it.',
    scenarios: [FEDERATION_MODEL_SCENARIO],
  },
  {
    name: MIGRATION_FAULTS.staysOnSource,
    description: 'A live migration completes but the VM record keeps its source node.',
    scenarios: [M.migratesLive],
  },
  {
    name: MIGRATION_FAULTS.skipsPhases,
    description: 'A live migration jumps from accepted to completed with no progress in between.',
    scenarios: [M.migratesLive, M.answersThroughout],
  },
  {
    name: MIGRATION_FAULTS.unreachableDuringSwitchover,
    description: 'The VM stops answering during the switchover phase of a live migration.',
    scenarios: [M.answersThroughout],
  },
  {
    name: MIGRATION_FAULTS.ignoresNodeCapacity,
    description: 'A migration is accepted to a node without room for the VM.',
    scenarios: [M.refused],
  },
  {
    name: MIGRATION_FAULTS.acceptsUnknownNode,
    description: 'A migration is accepted to a node that does not exist.',
    scenarios: [M.refused],
  },
  {
    name: MIGRATION_FAULTS.historyMissing,
    description: "A live migration leaves no migration entries in the VM's history (only anonymous state changes).",
    scenarios: [M.history],
  },
  {
    name: MIGRATION_FAULTS.leavesMigrating,
    description: 'A completed live migration moves the VM to its target node but leaves it in the migrating state.',
    scenarios: [M.migratesLive, M.usageContinues],
  },
  {
    name: MIGRATION_FAULTS.concurrentBothAccepted,
    description: 'Two migrations of the same VM asked for at once are both accepted: the check for a migration already under way comes too late.',
    scenarios: [MIGRATION_MODEL_SCENARIO],
  },
  {
    name: MIGRATION_FAULTS.nodesCountStopped,
    description: "The list of nodes counts a node's stopped VMs in its vm_count, although they hold no share of it.",
    scenarios: [MIGRATION_MODEL_SCENARIO],
  },
  {
    name: MIGRATION_FAULTS.completesBeforeVmMoves,
    description: 'A live migration is reported completed a moment (100 ms) before the VM record moves to its target node, so the VM answers from its source again in between.',
    scenarios: [STORAGE_SCENARIOS.history],
  },
];
