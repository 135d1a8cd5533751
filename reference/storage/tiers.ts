/** The storage classes, fastest first, with the characteristics each class stands for. */
export const TIER_NAMES = ['HOT', 'WARM', 'COLD', 'ARCHIVE'] as const;
export type TierName = (typeof TIER_NAMES)[number];

export interface TierSpec {
  name: TierName;
  media: string;
  /** Time to the first byte of a request, in (simulated) milliseconds. */
  latency_ms: number;
  /** Sustained transfer rate of the class, in (simulated) MB/s. */
  throughput_mb_s: number;
  capacity_gb: number;
}

export const DEFAULT_TIERS: readonly TierSpec[] = [
  { name: 'HOT', media: 'nvme-ssd', latency_ms: 0.1, throughput_mb_s: 2000, capacity_gb: 512 },
  { name: 'WARM', media: 'sata-ssd', latency_ms: 1, throughput_mb_s: 500, capacity_gb: 2048 },
  { name: 'COLD', media: 'hdd', latency_ms: 10, throughput_mb_s: 150, capacity_gb: 8192 },
  { name: 'ARCHIVE', media: 'object-archive', latency_ms: 200, throughput_mb_s: 40, capacity_gb: 32768 },
];

export function isTierName(value: unknown): value is TierName {
  return typeof value === 'string' && (TIER_NAMES as readonly string[]).includes(value);
}

/**
 * How the simulation shrinks volumes and time so a scenario stays fast: a volume of N GB holds
 * N * contentBytesPerGb real bytes, and simulated time runs timeScale times faster than real time.
 * Rates measured on the real bytes convert back to the class's units with toSimulatedMbPerS.
 */
export class StorageScale {
  constructor(
    readonly contentBytesPerGb = 1024,
    readonly timeScale = 1000,
  ) {
    if (!(contentBytesPerGb >= 1) || !(timeScale > 0)) {
      throw new Error(`storage scale ${contentBytesPerGb} bytes/GB, time x${timeScale} is invalid: expected bytes/GB >= 1 and time scale > 0`);
    }
  }

  contentBytes(sizeGb: number): number {
    return Math.round(sizeGb * this.contentBytesPerGb);
  }

  /** Real bytes per real second that stand for a class rate of `mbPerS` simulated MB/s. */
  realBytesPerSecond(mbPerS: number): number {
    return ((mbPerS * 1e6) / 2 ** 30) * this.contentBytesPerGb * this.timeScale;
  }

  realMs(simulatedMs: number): number {
    return simulatedMs / this.timeScale;
  }

  toSimulatedMbPerS(realBytesPerSecond: number): number {
    return realBytesPerSecond / this.realBytesPerSecond(1);
  }

  toSimulatedMs(realMs: number): number {
    return realMs * this.timeScale;
  }
}
