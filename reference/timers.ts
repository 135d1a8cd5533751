import type { Logger } from './log';

/**
 * setTimeout/setInterval that the reference cancels all at once when it closes, and whose
 * callbacks (sync or async) log their errors instead of crashing the process.
 */
export class Timers {
  private readonly timeouts = new Set<NodeJS.Timeout>();
  private readonly intervals = new Set<NodeJS.Timeout>();
  private stopped = false;

  constructor(private readonly log: Logger) {}

  timeout(ms: number, callback: () => unknown, what = 'a timer'): NodeJS.Timeout {
    const handle = setTimeout(() => {
      this.timeouts.delete(handle);
      this.run(callback, what);
    }, ms);
    if (this.stopped) clearTimeout(handle);
    else this.timeouts.add(handle);
    return handle;
  }

  interval(ms: number, callback: () => unknown, what = 'an interval'): NodeJS.Timeout {
    const handle = setInterval(() => this.run(callback, what), ms);
    if (this.stopped) clearInterval(handle);
    else this.intervals.add(handle);
    return handle;
  }

  cancel(handle: NodeJS.Timeout | undefined): void {
    if (!handle) return;
    clearTimeout(handle);
    this.timeouts.delete(handle);
    this.intervals.delete(handle);
  }

  /** Cancels everything; later requests for timers are ignored. */
  stopAll(): void {
    this.stopped = true;
    for (const handle of this.timeouts) clearTimeout(handle);
    for (const handle of this.intervals) clearInterval(handle);
    this.timeouts.clear();
    this.intervals.clear();
  }

  get pending(): number {
    return this.timeouts.size + this.intervals.size;
  }

  private run(callback: () => unknown, what: string): void {
    try {
      const result = callback();
      if (result instanceof Promise) result.catch((error: unknown) => this.log.error(`${what} failed`, error));
    } catch (error) {
      this.log.error(`${what} failed`, error);
    }
  }
}
