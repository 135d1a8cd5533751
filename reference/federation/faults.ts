import { defineFaults, type FaultFlags } from '../define-faults';
import { STORAGE_SCENARIOS } from '../storage/faults';

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

export const FEDERATION_FAULTS = defineFaults({
  placesOnRequester: {
    name: 'federation-places-on-requester',
    description: 'A federated VM is placed on the cluster the request came through, whatever the target or the placement rule says.',
    scenarios: [F.createdElsewhere, F.autoPlacement],
  },
  replicationSkipsPeers: {
    name: 'federation-replication-skips-peers',
    description: 'The owner of a VM record replicates it only to the cluster the request came through, never to the other peers.',
    scenarios: [F.replicated, F.catchesUp],
  },
  acceptsUnreachable: {
    name: 'federation-accepts-unreachable-members',
    description: 'Requests through or to an unreachable member are accepted as if it answered.',
    scenarios: [F.unreachable],
  },
  outageStopsAll: {
    name: 'federation-outage-stops-all-members',
    description: 'While any member is unreachable, requests to every member are refused.',
    scenarios: [F.unreachable],
  },
  statusOmitsPeers: {
    name: 'federation-status-omits-peers',
    description: 'The federation status lists the local cluster only.',
    scenarios: [F.status],
  },
  dropsUpdatesForUnreachable: {
    name: 'federation-drops-updates-for-unreachable',
    description: 'Record updates due to an unreachable member are dropped instead of kept for when it is back.',
    scenarios: [F.catchesUp],
  },
  statusSummaryIgnoresUnreachable: {
    name: 'federation-status-summary-ignores-unreachable',
    description: 'The summary of the federation status counts every member as reachable and calls the federation healthy, while its list of members shows one unreachable.',
    scenarios: [F.unreachable],
  },
  newMemberMissesRecords: {
    name: 'federation-new-member-misses-records',
    description: 'A peer that joins receives only the records written after it joined, none of those the federation already held.',
    scenarios: [FEDERATION_MODEL_SCENARIO],
  },
  memberLeavesWithVms: {
    name: 'federation-member-leaves-with-vms',
    description: 'A peer that still runs federated VMs may leave the federation, and the records of its VMs are lost with it.',
    scenarios: [FEDERATION_MODEL_SCENARIO],
  },
});

export const MIGRATION_FAULTS = defineFaults({
  staysOnSource: {
    name: 'migration-stays-on-source',
    description: 'A live migration completes but the VM record keeps its source node.',
    scenarios: [M.migratesLive],
  },
  skipsPhases: {
    name: 'migration-skips-phases',
    description: 'A live migration jumps from accepted to completed with no progress in between.',
    scenarios: [M.migratesLive, M.answersThroughout],
  },
  unreachableDuringSwitchover: {
    name: 'migration-unreachable-during-switchover',
    description: 'The VM stops answering during the switchover phase of a live migration.',
    scenarios: [M.answersThroughout],
  },
  ignoresNodeCapacity: {
    name: 'migration-ignores-node-capacity',
    description: 'A migration is accepted to a node without room for the VM.',
    scenarios: [M.refused],
  },
  acceptsUnknownNode: {
    name: 'migration-accepts-unknown-node',
    description: 'A migration is accepted to a node that does not exist.',
    scenarios: [M.refused],
  },
  historyMissing: {
    name: 'migration-history-missing',
    description: "A live migration leaves no migration entries in the VM's history (only anonymous state changes).",
    scenarios: [M.history],
  },
  leavesMigrating: {
    name: 'migration-leaves-vm-migrating',
    description: 'A completed live migration moves the VM to its target node but leaves it in the migrating state.',
    scenarios: [M.migratesLive, M.usageContinues],
  },
  concurrentBothAccepted: {
    name: 'migration-concurrent-requests-both-accepted',
    description: 'Two migrations of the same VM asked for at once are both accepted: the check for a migration already under way comes too late.',
    scenarios: [MIGRATION_MODEL_SCENARIO],
  },
  nodesCountStopped: {
    name: 'migration-nodes-count-stopped-vms',
    description: "The list of nodes counts a node's stopped VMs in its vm_count, although they hold no share of it.",
    scenarios: [MIGRATION_MODEL_SCENARIO],
  },
  completesBeforeVmMoves: {
    name: 'migration-completes-before-vm-moves',
    description: 'A live migration is reported completed a moment (100 ms) before the VM record moves to its target node, so the VM answers from its source again in between.',
    scenarios: [STORAGE_SCENARIOS.history],
  },
});

export type FederationFaultFlags = FaultFlags<typeof FEDERATION_FAULTS>;
export type MigrationFaultFlags = FaultFlags<typeof MIGRATION_FAULTS>;
