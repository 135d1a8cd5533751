import { formatCount, formatMs, formatPercent, formatRate } from './format';
import type { LiveSnapshot } from './recorder';

export interface ProgressOptions {
  stream?: NodeJS.WritableStream & { isTTY?: boolean };
  /** seconds between lines on a terminal (default 3) */
  ttySeconds?: number;
  /** seconds between lines when the stream is not a terminal, e.g. CI logs (default 10) */
  pipeSeconds?: number;
}

/** Prints one line per few seconds on stderr while a load runs (every 10 s when not a TTY). */
export class ProgressReporter {
  private readonly stream: NodeJS.WritableStream;
  private readonly everyMs: number;
  private timer: NodeJS.Timeout | undefined;
  private lastCompleted = 0;
  private lastElapsedMs = 0;

  constructor(
    private readonly read: () => LiveSnapshot,
    options: ProgressOptions = {},
  ) {
    const stream = options.stream ?? process.stderr;
    this.stream = stream;
    const isTTY = (stream as { isTTY?: boolean }).isTTY === true;
    this.everyMs = 1000 * (isTTY ? (options.ttySeconds ?? 3) : (options.pipeSeconds ?? 10));
  }

  start(): void {
    this.timer = setInterval(() => this.stream.write(`${this.line(this.read())}\n`), this.everyMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  /** One progress line; the rate is over the interval since the previous line. */
  line(snapshot: LiveSnapshot): string {
    const intervalSeconds = (snapshot.elapsedMs - this.lastElapsedMs) / 1000;
    const rate = intervalSeconds > 0 ? (snapshot.completed - this.lastCompleted) / intervalSeconds : 0;
    this.lastCompleted = snapshot.completed;
    this.lastElapsedMs = snapshot.elapsedMs;
    const elapsed = `${Math.round(snapshot.elapsedMs / 1000)}s${snapshot.plannedMs ? `/${Math.round(snapshot.plannedMs / 1000)}s` : ''}`;
    const done = `${formatCount(snapshot.completed)}${snapshot.plannedRequests ? `/${formatCount(snapshot.plannedRequests)}` : ''} requests`;
    const errorRate = snapshot.completed > 0 ? snapshot.failed / snapshot.completed : 0;
    return [
      `⏳ ${snapshot.label}`,
      elapsed,
      done,
      `${formatRate(rate)} req/s`,
      `p95 ${formatMs(snapshot.p95Ms)}`,
      `errors ${formatCount(snapshot.failed)} (${formatPercent(errorRate)})`,
      `in flight ${snapshot.inFlight}`,
    ].join('  ');
  }
}
