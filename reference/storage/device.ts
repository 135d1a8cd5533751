/** Real time as the storage simulation sees it; injected so tests can observe or speed it up. */
export interface IoClock {
  /** Monotonic milliseconds. */
  now(): number;
  sleep(ms: number): Promise<void>;
}

export const realClock: IoClock = {
  now: () => performance.now(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
};

/** Waits shorter than this are carried forward instead of slept (timers are ~1 ms coarse). */
const MIN_SLEEP_MS = 1;

/**
 * The transfer channel of one tier: every byte read or written on the tier passes through it.
 * Requests queue first-come first-served on one virtual timeline, so concurrent transfers share
 * the tier's rate, and each request pays the tier's first-byte latency.
 */
export class TierDevice {
  private busyUntil = 0;

  constructor(
    readonly bytesPerSecond: number,
    readonly latencyMs: number,
    private readonly clock: IoClock = realClock,
  ) {
    if (!(bytesPerSecond > 0)) throw new Error(`tier rate ${bytesPerSecond} bytes/s is invalid: expected > 0`);
  }

  /** Copies `length` bytes of `source` from `offset`, taking as long as the tier needs. */
  async read(source: Buffer, offset: number, length: number): Promise<Buffer> {
    await this.transfer(length);
    return Buffer.from(source.subarray(offset, offset + length));
  }

  /** Writes `data` into `target` at `offset`, taking as long as the tier needs. */
  async write(target: Buffer, offset: number, data: Buffer): Promise<void> {
    await this.transfer(data.length);
    data.copy(target, offset);
  }

  private async transfer(bytes: number): Promise<void> {
    const start = Math.max(this.clock.now() + this.latencyMs, this.busyUntil);
    const finish = start + (bytes / this.bytesPerSecond) * 1000;
    this.busyUntil = finish;
    const wait = finish - this.clock.now();
    if (wait >= MIN_SLEEP_MS) await this.clock.sleep(wait);
  }
}
