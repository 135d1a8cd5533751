/**
 * Time for the simulations: real timers in the running reference, a virtual clock in unit tests
 * (so many seeds run in milliseconds and every run of a seed is identical).
 */
export interface TimerHandle {
  cancel(): void;
}

export interface Scheduler {
  /** Milliseconds on this scheduler's clock. */
  now(): number;
  after(ms: number, callback: () => void): TimerHandle;
}

export function realScheduler(): Scheduler {
  return {
    now: () => performance.now(),
    after(ms, callback) {
      const timer = setTimeout(callback, Math.max(0, ms));
      timer.unref?.();
      return { cancel: () => clearTimeout(timer) };
    },
  };
}

export interface PumpedScheduler extends Scheduler {
  /** The wall-clock time (epoch ms) of a moment on this scheduler's clock. */
  wallTime(at: number): number;
  stop(): void;
}

/**
 * Real time for the running reference, without stall artefacts: a virtual clock that a real
 * interval advances by the real time elapsed (at most `maxStepMs` per beat, against a host that
 * was suspended). With plain timers, a host stall (CPU starvation, a long GC) wakes to a burst of
 * overdue timers in which a message sent late is scheduled after a follower's election deadline
 * that it would have beaten - followers time out on heartbeats that were merely late. Here every
 * timer fires in the order of the simulated clock, so a stall delays the cluster but never
 * changes what it does.
 */
export function pumpedScheduler(every: (ms: number, beat: () => void) => { cancel(): void }, beatMs = 2, maxStepMs = 1000): PumpedScheduler {
  const virtual = new VirtualScheduler();
  let lastReal = performance.now();
  const beat = every(beatMs, () => {
    const real = performance.now();
    virtual.advance(Math.min(real - lastReal, maxStepMs));
    lastReal = real;
  });
  return {
    now: () => virtual.now(),
    after: (ms, callback) => virtual.after(ms, callback),
    wallTime: (at) => Date.now() - (virtual.now() - at),
    stop: () => beat.cancel(),
  };
}

interface VirtualTimer {
  at: number;
  order: number;
  callback: () => void;
  cancelled: boolean;
}

/** A manual clock: timers fire only when the test advances time, in (time, creation) order. */
export class VirtualScheduler implements Scheduler {
  private clock = 0;
  private created = 0;
  private readonly queue: VirtualTimer[] = [];

  now(): number {
    return this.clock;
  }

  after(ms: number, callback: () => void): TimerHandle {
    const timer: VirtualTimer = { at: this.clock + Math.max(0, ms), order: this.created++, callback, cancelled: false };
    this.push(timer);
    return { cancel: () => void (timer.cancelled = true) };
  }

  /** Runs every timer due within the next `ms` milliseconds, then sets the clock to now + ms. */
  advance(ms: number): void {
    const until = this.clock + ms;
    for (let timer = this.nextDue(until); timer; timer = this.nextDue(until)) {
      this.clock = timer.at;
      timer.callback();
    }
    this.clock = until;
  }

  /** Like advance, but lets promise callbacks run after each timer (for code that awaits). */
  async advanceAsync(ms: number): Promise<void> {
    const until = this.clock + ms;
    for (let timer = this.nextDue(until); timer; timer = this.nextDue(until)) {
      this.clock = timer.at;
      timer.callback();
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
    this.clock = until;
  }

  /** Advances in steps of `stepMs` until the condition holds; returns the elapsed time or undefined after `limitMs`. */
  runUntil(condition: () => boolean, limitMs: number, stepMs = 1): number | undefined {
    const start = this.clock;
    while (!condition()) {
      if (this.clock - start >= limitMs) return undefined;
      this.advance(stepMs);
    }
    return this.clock - start;
  }

  private nextDue(until: number): VirtualTimer | undefined {
    while (this.queue.length > 0) {
      const head = this.queue[0];
      if (head.cancelled) {
        this.pop();
        continue;
      }
      if (head.at > until) return undefined;
      return this.pop();
    }
    return undefined;
  }

  // A binary heap ordered by (at, order).
  private push(timer: VirtualTimer): void {
    const heap = this.queue;
    heap.push(timer);
    let i = heap.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!earlier(heap[i], heap[parent])) break;
      [heap[i], heap[parent]] = [heap[parent], heap[i]];
      i = parent;
    }
  }

  private pop(): VirtualTimer {
    const heap = this.queue;
    const top = heap[0];
    const last = heap.pop() as VirtualTimer;
    if (heap.length > 0) {
      heap[0] = last;
      let i = 0;
      for (;;) {
        const left = 2 * i + 1;
        const right = left + 1;
        let smallest = i;
        if (left < heap.length && earlier(heap[left], heap[smallest])) smallest = left;
        if (right < heap.length && earlier(heap[right], heap[smallest])) smallest = right;
        if (smallest === i) break;
        [heap[i], heap[smallest]] = [heap[smallest], heap[i]];
        i = smallest;
      }
    }
    return top;
  }
}

function earlier(a: VirtualTimer, b: VirtualTimer): boolean {
  return a.at < b.at || (a.at === b.at && a.order < b.order);
}
