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

/** One stage of a ramping load: the rate or the number of users moves linearly to `target` over `durationMs`. */
export interface Stage {
  durationMs: number;
  target: number;
}

/** When request k of an open model is due; `ArrivalSchedule` and `StagedArrivals` both are one. */
export interface Arrivals {
  readonly total: number;
  readonly durationMs: number;
  offsetMs(k: number): number;
}

interface Segment {
  startMs: number;
  durationMs: number;
  from: number;
  to: number;
}

function segmentsOf(what: string, start: number, stages: readonly Stage[]): Segment[] {
  if (!(Number.isFinite(start) && start >= 0)) throw new Error(`${what}: got a start of ${start}, expected a number >= 0`);
  if (stages.length === 0) throw new Error(`${what}: got no stages, expected at least one`);
  let startMs = 0;
  let from = start;
  return stages.map((stage, index) => {
    if (!(Number.isFinite(stage.durationMs) && stage.durationMs > 0)) throw new Error(`${what}: stage ${index + 1} lasts ${stage.durationMs} ms, expected a positive number of ms`);
    if (!(Number.isFinite(stage.target) && stage.target >= 0)) throw new Error(`${what}: stage ${index + 1} targets ${stage.target}, expected a number >= 0`);
    const segment = { startMs, durationMs: stage.durationMs, from, to: stage.target };
    startMs += stage.durationMs;
    from = stage.target;
    return segment;
  });
}

/**
 * A ramping arrival rate (k6's ramping-arrival-rate): from `startRate` requests per second, each
 * stage moves the rate linearly to its target. Request k is due when the requests expected so far
 * (the integral of the rate) reach k.
 */
export class StagedArrivals implements Arrivals {
  readonly total: number;
  readonly durationMs: number;
  private readonly segments: Segment[];
  /** requests expected before each segment */
  private readonly before: number[];

  constructor(startRate: number, stages: readonly Stage[]) {
    this.segments = segmentsOf('ramping arrival rate', startRate, stages).map((s) => ({ ...s, from: s.from / 1000, to: s.to / 1000 }));
    this.before = [];
    let cumulative = 0;
    for (const segment of this.segments) {
      this.before.push(cumulative);
      cumulative += ((segment.from + segment.to) / 2) * segment.durationMs;
    }
    const last = this.segments[this.segments.length - 1];
    this.durationMs = last.startMs + last.durationMs;
    if (!(cumulative > 0)) throw new Error('ramping arrival rate: its stages send no request (every rate is 0)');
    let total = Math.ceil(cumulative - 1e-9);
    while (total > 0 && this.offsetMs(total - 1) >= this.durationMs) total -= 1;
    this.total = total;
  }

  offsetMs(k: number): number {
    for (let i = this.segments.length - 1; i >= 0; i--) {
      const segment = this.segments[i];
      const due = k - this.before[i];
      if (due < 0) continue;
      const { from, to, durationMs, startMs } = segment;
      const curve = (to - from) / (2 * durationMs);
      const elapsed = Math.abs(curve) < 1e-15 ? (from > 0 ? due / from : Number.POSITIVE_INFINITY) : (-from + Math.sqrt(Math.max(0, from * from + 4 * curve * due))) / (2 * curve);
      if (elapsed <= durationMs || i === this.segments.length - 1) return startMs + elapsed;
    }
    return 0;
  }
}

/**
 * A ramping number of users (k6's ramping-vus): from `startUsers`, each stage moves the number of
 * users linearly to its target. User i (0-based) is active while more than i users are planned;
 * a user that becomes inactive finishes its request and waits until it is needed again.
 */
export class StagedUsers {
  readonly durationMs: number;
  readonly maxUsers: number;
  private readonly segments: Segment[];

  constructor(startUsers: number, stages: readonly Stage[]) {
    this.segments = segmentsOf('ramping users', startUsers, stages);
    const last = this.segments[this.segments.length - 1];
    this.durationMs = last.startMs + last.durationMs;
    this.maxUsers = Math.ceil(Math.max(startUsers, ...stages.map((stage) => stage.target)));
    if (this.maxUsers < 1) throw new Error('ramping users: its stages have no user (every target is 0)');
  }

  /** The planned number of users at `ms` after the start. */
  usersAt(ms: number): number {
    const segment = this.segments.find((s) => ms < s.startMs + s.durationMs) ?? this.segments[this.segments.length - 1];
    const share = Math.min(1, Math.max(0, (ms - segment.startMs) / segment.durationMs));
    return segment.from + (segment.to - segment.from) * share;
  }

  isActive(user: number, ms: number): boolean {
    return this.usersAt(ms) > user;
  }

  /** The first moment at or after `ms` when user `user` is needed, or undefined when it never is again. */
  nextStartMs(user: number, ms: number): number | undefined {
    for (const segment of this.segments) {
      const endMs = segment.startMs + segment.durationMs;
      if (endMs <= ms) continue;
      const fromMs = Math.max(ms, segment.startMs);
      if (this.usersAt(fromMs) > user) return fromMs;
      if (segment.to > user && segment.to > segment.from) {
        // the ramp reaches `user` users here: start the user then (k6 starts user i when i users are running)
        return Math.max(fromMs, segment.startMs + ((user - segment.from) / (segment.to - segment.from)) * segment.durationMs);
      }
    }
    return undefined;
  }
}
