/**
 * The open model's arrival schedule: request k is due `offsetMs(k)` after the start. The rate
 * rises linearly from 0 to `ratePerSecond` over `rampUpMs`, then stays constant.
 */
export class ArrivalSchedule {
  readonly total: number;
  private readonly perMs: number;
  private readonly rampRequests: number;

  constructor(
    readonly ratePerSecond: number,
    readonly durationMs: number,
    readonly rampUpMs = 0,
  ) {
    if (!(ratePerSecond > 0)) throw new Error(`arrival rate: got ${ratePerSecond}, expected a positive number of requests per second`);
    if (!(durationMs > 0)) throw new Error(`open-model duration: got ${durationMs}, expected a positive number of ms`);
    if (!(rampUpMs >= 0 && rampUpMs <= durationMs)) throw new Error(`ramp-up: got ${rampUpMs} ms, expected 0..${durationMs} (the duration)`);
    this.perMs = ratePerSecond / 1000;
    this.rampRequests = (this.perMs * rampUpMs) / 2;
    this.total = this.countBefore(durationMs);
  }

  offsetMs(k: number): number {
    if (k < this.rampRequests) return Math.sqrt((2 * this.rampUpMs * k) / this.perMs);
    return this.rampUpMs + (k - this.rampRequests) / this.perMs;
  }

  /** Number of requests due strictly before `ms`. */
  private countBefore(ms: number): number {
    const cumulative = ms <= this.rampUpMs ? (this.perMs * ms * ms) / (2 * this.rampUpMs) : this.rampRequests + this.perMs * (ms - this.rampUpMs);
    let count = Math.ceil(cumulative - 1e-9);
    while (count > 0 && this.offsetMs(count - 1) >= ms) count -= 1;
    while (this.offsetMs(count) < ms) count += 1;
    return count;
  }
}
