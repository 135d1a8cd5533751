import { defineFaults, type FaultFlags } from '../define-faults';

// Scenario titles of features/system/backend/storage.feature.
export const STORAGE_SCENARIOS = {
  tiersOffered: 'The four tiers are offered with distinct performance characteristics',
  throughputMeasured: "Each tier's measured throughput matches its class",
  volumeLifecycle: 'A volume is created, attached to a machine and detached again',
  oneMachineAtATime: 'A volume is attached to one machine at a time',
  migrationKeepsData: 'Moving a volume to another tier keeps every byte and the volume stays usable',
  doesNotFit: 'A volume that does not fit is refused with the reason',
  everyView: 'Any sequence of operations keeps every view of the volumes consistent',
  history: "Under concurrent writers and readers, moves between tiers and live migrations of its machine, a volume's history holds",
} as const;

const S = STORAGE_SCENARIOS;

export const STORAGE_FAULTS = defineFaults({
  tiersMisordered: {
    name: 'storage-tiers-misordered',
    description: 'The WARM and COLD tiers are configured with each other\'s media, latency and throughput, so WARM is slower than COLD.',
    scenarios: [S.tiersOffered, S.throughputMeasured, S.everyView],
  },
  archiveUnthrottled: {
    name: 'storage-archive-unthrottled',
    description: 'Transfers on the ARCHIVE tier bypass its rate limiter, so it runs faster than every other tier.',
    scenarios: [S.throughputMeasured],
  },
  migrationCorruptsData: {
    name: 'storage-migration-corrupts-data',
    description: 'A tier migration flips a byte of the copy and skips the checksum verification before switching over.',
    scenarios: [S.migrationKeepsData, S.everyView, S.history],
  },
  migrationStaysOnSource: {
    name: 'storage-migration-stays-on-source',
    description: 'A tier migration reports completion but leaves the volume on its source tier.',
    scenarios: [S.migrationKeepsData, S.everyView],
  },
  doubleAttach: {
    name: 'storage-allows-double-attach',
    description: 'Attaching a volume that is already attached moves it to the second VM instead of refusing.',
    scenarios: [S.oneMachineAtATime, S.everyView],
  },
  detachKeepsAttachment: {
    name: 'storage-detach-keeps-attachment',
    description: 'Detaching answers success but the volume stays attached to its VM.',
    scenarios: [S.volumeLifecycle, S.everyView],
  },
  ignoresCapacity: {
    name: 'storage-ignores-capacity',
    description: 'Creating a volume does not check the tier\'s free capacity, so oversize volumes are accepted.',
    scenarios: [S.doesNotFit, S.everyView],
  },
  moveKeepsReservation: {
    name: 'storage-move-keeps-reservation',
    description: 'A completed tier move forgets to release the room it reserved on the target tier, so that tier reports the volume twice in its used and free figures.',
    scenarios: [S.everyView],
  },
  writeDuringMove: {
    name: 'storage-write-during-move',
    description: 'Writing to a volume does not check whether it is migrating: the write is acknowledged, then lost (or fails the move) when the copy switches over.',
    scenarios: [S.everyView],
  },
  readServesCopy: {
    name: 'storage-read-during-move-serves-copy',
    description: 'While a volume moves, reads are served from the copy on the target tier, whose bytes not yet copied read back as zeros.',
    scenarios: [S.history],
  },
  writeRefusedAfterApplying: {
    name: 'storage-write-refused-after-applying',
    description: 'A write to a moving volume is refused only after its bytes were written: the client is told it failed, yet reads return it.',
    scenarios: [S.history],
  },
  detachNotInVmHistory: {
    name: 'storage-detach-not-in-vm-history',
    description: "Detaching a volume is not recorded in the VM's history (the call was forgotten), though attaching it is.",
    scenarios: [S.everyView],
  },
  changesNotPersisted: {
    name: 'storage-changes-not-persisted',
    description: 'Attaching, detaching and moving a volume change it in memory only: the database keeps it as it was created, so a restart brings back the old state.',
    scenarios: [S.everyView],
  },
});

export type StorageFaultFlags = FaultFlags<typeof STORAGE_FAULTS>;
