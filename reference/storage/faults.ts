import type { FaultDefinition } from '../faults';

/** The storage defects the service can be switched into (documented below). */
export const STORAGE_FAULTS = {
  tiersMisordered: 'storage-tiers-misordered',
  archiveUnthrottled: 'storage-archive-unthrottled',
  migrationCorruptsData: 'storage-migration-corrupts-data',
  migrationStaysOnSource: 'storage-migration-stays-on-source',
  doubleAttach: 'storage-allows-double-attach',
  detachKeepsAttachment: 'storage-detach-keeps-attachment',
  ignoresCapacity: 'storage-ignores-capacity',
  moveKeepsReservation: 'storage-move-keeps-reservation',
  writeDuringMove: 'storage-write-during-move',
  readServesCopy: 'storage-read-during-move-serves-copy',
  writeRefusedAfterApplying: 'storage-write-refused-after-applying',
} as const;

export type StorageFaultFlags = { readonly [K in keyof typeof STORAGE_FAULTS]: boolean };

export const NO_STORAGE_FAULTS: StorageFaultFlags = Object.freeze({
  tiersMisordered: false,
  archiveUnthrottled: false,
  migrationCorruptsData: false,
  migrationStaysOnSource: false,
  doubleAttach: false,
  detachKeepsAttachment: false,
  ignoresCapacity: false,
  moveKeepsReservation: false,
  writeDuringMove: false,
  readServesCopy: false,
  writeRefusedAfterApplying: false,
});

export function storageFaultFlags(faults: { has(name: string): boolean }): StorageFaultFlags {
  const flags = { ...NO_STORAGE_FAULTS } as Record<keyof typeof STORAGE_FAULTS, boolean>;
  for (const key of Object.keys(STORAGE_FAULTS) as (keyof typeof STORAGE_FAULTS)[]) flags[key] = faults.has(STORAGE_FAULTS[key]);
  return flags;
}

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

export const faults: FaultDefinition[] = [
  {
    name: STORAGE_FAULTS.tiersMisordered,
    description: 'The WARM and COLD tiers are configured with each other\'s media, latency and throughput, so WARM is slower than COLD.',
    scenarios: [S.tiersOffered, S.throughputMeasured, S.everyView],
  },
  {
    name: STORAGE_FAULTS.archiveUnthrottled,
    description: 'Transfers on the ARCHIVE tier bypass its rate limiter, so it runs faster than every other tier.',
    scenarios: [S.throughputMeasured],
  },
  {
    name: STORAGE_FAULTS.migrationCorruptsData,
    description: 'A tier migration flips a byte of the copy and skips the checksum verification before switching over.',
    scenarios: [S.migrationKeepsData, S.everyView, S.history],
  },
  {
    name: STORAGE_FAULTS.migrationStaysOnSource,
    description: 'A tier migration reports completion but leaves the volume on its source tier.',
    scenarios: [S.migrationKeepsData, S.everyView],
  },
  {
    name: STORAGE_FAULTS.doubleAttach,
    description: 'Attaching a volume that is already attached moves it to the second VM instead of refusing.',
    scenarios: [S.oneMachineAtATime, S.everyView],
  },
  {
    name: STORAGE_FAULTS.detachKeepsAttachment,
    description: 'Detaching answers success but the volume stays attached to its VM.',
    scenarios: [S.volumeLifecycle, S.everyView],
  },
  {
    name: STORAGE_FAULTS.ignoresCapacity,
    description: 'Creating a volume does not check the tier\'s free capacity, so oversize volumes are accepted.',
    scenarios: [S.doesNotFit, S.everyView],
  },
  {
    name: STORAGE_FAULTS.moveKeepsReservation,
    description: 'A completed tier move forgets to release the room it reserved on the target tier, so that tier reports the volume twice in its used and free figures.',
    scenarios: [S.everyView],
  },
  {
    name: STORAGE_FAULTS.writeDuringMove,
    description: 'Writing to a volume does not check whether it is migrating: the write is acknowledged, then lost (or fails the move) when the copy switches over.',
    scenarios: [S.everyView],
  },
  {
    name: STORAGE_FAULTS.readServesCopy,
    description: 'While a volume moves, reads are served from the copy on the target tier, whose bytes not yet copied read back as zeros.',
    scenarios: [S.history],
  },
  {
    name: STORAGE_FAULTS.writeRefusedAfterApplying,
    description: 'A write to a moving volume is refused only after its bytes were written: the client is told it failed, yet reads return it.',
    scenarios: [S.history],
  },
];
