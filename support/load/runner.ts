import { setTimeout as sleep } from 'node:timers/promises';
import { classifyError, describeError, failureOf } from './errors';
import { ProgressReporter, type ProgressOptions } from './progress';
import { LoadRecorder, type RecorderMeta } from './recorder';
import type { LoadResult } from './result';
import { ArrivalSchedule, type Arrivals, type StagedUsers } from './schedule';
import { GUIDE_LOAD_SETTINGS, type LoadSettings } from './settings';

export interface RequestContext {
  /** 0-based sequence number of the request in the run */
  index: number;
  /** closed model: the worker (user) sending it; open model: -1 */
  worker: number;
}

/**
 * One request of a load run. It fails when it throws (classified by `classifyError`) or resolves
 * to something with a numeric `status`/`statusCode` of 400 or more (an HTTP response).
 */
export type LoadOperation = (context: RequestContext) => Promise<unknown>;

interface CommonOptions {
  label?: string;
  /** names the group of a request (e.g. its endpoint) for per-group figures; a few distinct names */
  groupOf?: (context: RequestContext) => string;
  /** false: no progress lines (unit tests) */
  progress?: ProgressOptions | false;
}

export interface ClosedModelOptions extends CommonOptions {
  concurrency: number;
  /** workers start evenly spread over this time */
  rampUpMs?: number;
  /** pause of each worker after each response, not part of the latency */
  thinkTimeMs?: number;
  /** stop handing out requests after this time ... */
  durationMs?: number;
  /** ... or after this many requests (at least one of the two) */
  totalRequests?: number;
}

export interface OpenModelOptions extends CommonOptions {
  ratePerSecond: number;
  durationMs: number;
  rampUpMs?: number;
  /** requests due while this many are outstanding are not sent and count as failed (kind other) */
  maxInFlight?: number;
}

export interface ConcurrentRequestsOptions extends CommonOptions {
  concurrency: number;
  rampUpMs?: number;
  thinkTimeMs?: number;
}

const DEFAULT_MAX_IN_FLIGHT = 10_000;

function positiveInteger(name: string, value: number): number {
  if (!Number.isInteger(value) || value < 1) throw new Error(`${name}: got ${value}, expected a positive integer`);
  return value;
}

/** Runs one request and records its outcome; latency counts from `startMs`. */
async function measure(recorder: LoadRecorder, operation: LoadOperation, context: RequestContext, startMs: number, group: string | undefined): Promise<void> {
  recorder.inFlight += 1;
  try {
    const value = await operation(context);
    const endMs = recorder.clock();
    const failure = failureOf(value);
    if (failure === null) recorder.succeed(startMs, endMs, group);
    else recorder.fail(startMs, endMs, failure.kind, failure.message, group);
  } catch (error) {
    recorder.fail(startMs, recorder.clock(), classifyError(error), describeError(error), group);
  } finally {
    recorder.inFlight -= 1;
  }
}

async function withProgress(recorder: LoadRecorder, options: CommonOptions, planned: { ms?: number; requests?: number }, run: () => Promise<void>): Promise<LoadResult> {
  const reporter =
    options.progress === false
      ? undefined
      : new ProgressReporter(() => ({ ...recorder.live(), plannedMs: planned.ms, plannedRequests: planned.requests }), options.progress);
  reporter?.start();
  try {
    await run();
  } finally {
    reporter?.stop();
  }
  return recorder.result();
}

/**
 * The load engine (the guide's LoadTestRunner). Closed model: N workers, each sends its next
 * request when the previous one answered. Open model: requests are due on a fixed schedule and
 * latency counts from the intended send time, so a stalled server shows in the percentiles.
 */
export class LoadTestRunner {
  readonly settings: LoadSettings;

  constructor(settings: Partial<LoadSettings> = {}) {
    this.settings = { ...GUIDE_LOAD_SETTINGS, ...settings };
  }

  /** The guide's entry point: every item of `requests` handled once, `concurrency` at a time. */
  executeConcurrentRequests<T>(
    requests: readonly T[],
    handler: (request: T, context: RequestContext) => Promise<unknown>,
    options: ConcurrentRequestsOptions,
  ): Promise<LoadResult> {
    return this.runClosed((context) => handler(requests[context.index], context), { ...options, totalRequests: requests.length });
  }

  /** LOAD_TEST_USERS users for LOAD_TEST_DURATION, started over LOAD_TEST_RAMPUP, pausing LOAD_TEST_THINK_TIME. */
  runUsers(operation: LoadOperation, options: CommonOptions & Partial<ClosedModelOptions> = {}): Promise<LoadResult> {
    return this.runClosed(operation, {
      concurrency: this.settings.users,
      durationMs: this.settings.durationMs,
      rampUpMs: Math.min(this.settings.rampUpMs, this.settings.durationMs),
      thinkTimeMs: this.settings.thinkTimeMs,
      ...options,
    });
  }

  runClosed(operation: LoadOperation, options: ClosedModelOptions): Promise<LoadResult> {
    const concurrency = positiveInteger('concurrency', options.concurrency);
    const { durationMs, totalRequests, rampUpMs = 0, thinkTimeMs = 0, groupOf } = options;
    if (durationMs === undefined && totalRequests === undefined) throw new Error('closed model: expected durationMs or totalRequests, got neither');
    if (totalRequests !== undefined && (!Number.isInteger(totalRequests) || totalRequests < 0)) {
      throw new Error(`totalRequests: got ${totalRequests}, expected a non-negative integer`);
    }
    const recorder = new LoadRecorder(this.meta(options, 'closed', { concurrency }));
    const deadlineMs = durationMs === undefined ? Number.POSITIVE_INFINITY : recorder.startedAtMs + durationMs;
    const limit = totalRequests ?? Number.POSITIVE_INFINITY;
    let next = 0;
    const worker = async (workerIndex: number): Promise<void> => {
      if (rampUpMs > 0 && workerIndex > 0) await sleep((workerIndex * rampUpMs) / concurrency);
      for (;;) {
        const startMs = recorder.clock();
        if (next >= limit || startMs >= deadlineMs) return;
        const context = { index: next++, worker: workerIndex };
        recorder.requested += 1;
        await measure(recorder, operation, context, startMs, groupOf?.(context));
        if (thinkTimeMs > 0) await sleep(thinkTimeMs);
      }
    };
    return withProgress(recorder, options, { ms: durationMs, requests: totalRequests }, async () => {
      await Promise.all(Array.from({ length: Math.min(concurrency, limit) }, (_, index) => worker(index)));
    });
  }

  runOpen(operation: LoadOperation, options: OpenModelOptions): Promise<LoadResult> {
    const schedule = new ArrivalSchedule(options.ratePerSecond, options.durationMs, options.rampUpMs ?? 0);
    return this.runArrivals(operation, schedule, { ...options, targetRate: options.ratePerSecond });
  }

  /**
   * The open model on any arrival schedule (a constant or ramping rate): request k is sent when it
   * is due, whatever is still outstanding, and its latency counts from when it was due.
   * `targetRate` (requests per second) defaults to the schedule's average.
   */
  runArrivals(operation: LoadOperation, schedule: Arrivals, options: CommonOptions & { maxInFlight?: number; targetRate?: number } = {}): Promise<LoadResult> {
    const maxInFlight = positiveInteger('maxInFlight', options.maxInFlight ?? DEFAULT_MAX_IN_FLIGHT);
    const targetRate = options.targetRate ?? (1000 * schedule.total) / schedule.durationMs;
    const recorder = new LoadRecorder(this.meta(options, 'open', { targetRate }));
    const startMs = recorder.startedAtMs;
    return withProgress(recorder, options, { ms: schedule.durationMs, requests: schedule.total }, async () => {
      const outstanding = new Set<Promise<void>>();
      let k = 0;
      while (k < schedule.total) {
        const nowMs = recorder.clock();
        for (let intendedMs = startMs + schedule.offsetMs(k); k < schedule.total && intendedMs <= nowMs; intendedMs = startMs + schedule.offsetMs(k)) {
          recorder.requested += 1;
          recorder.maxSendLagMs = Math.max(recorder.maxSendLagMs, nowMs - intendedMs);
          if (recorder.inFlight >= maxInFlight) {
            recorder.drop('other', `not sent: ${maxInFlight} requests already in flight`);
          } else {
            const context = { index: k, worker: -1 };
            const pending = measure(recorder, operation, context, intendedMs, options.groupOf?.(context));
            outstanding.add(pending);
            // Fire and forget: measure() never rejects (it records failures), and the loop awaits `outstanding` at the end.
            void pending.then(() => outstanding.delete(pending));
          }
          k += 1;
        }
        if (k < schedule.total) await sleep(Math.max(0, startMs + schedule.offsetMs(k) - recorder.clock()));
      }
      await Promise.all(outstanding);
    });
  }

  /**
   * The closed model with a number of users that follows stages (k6's ramping-vus): user i sends,
   * one request after another (pausing `thinkTimeMs`), while more than i users are planned.
   */
  runStagedUsers(operation: LoadOperation, users: StagedUsers, options: CommonOptions & { thinkTimeMs?: number } = {}): Promise<LoadResult> {
    const { thinkTimeMs = 0, groupOf } = options;
    const recorder = new LoadRecorder(this.meta(options, 'closed', { concurrency: users.maxUsers }));
    const startMs = recorder.startedAtMs;
    const deadlineMs = startMs + users.durationMs;
    let next = 0;
    const user = async (userIndex: number): Promise<void> => {
      let justStarted = false;
      for (;;) {
        const nowMs = recorder.clock();
        if (nowMs >= deadlineMs) return;
        if (!justStarted && !users.isActive(userIndex, nowMs - startMs)) {
          const nextMs = users.nextStartMs(userIndex, nowMs - startMs);
          if (nextMs === undefined || nextMs >= users.durationMs) return;
          await sleep(Math.max(0, startMs + nextMs - recorder.clock()));
          justStarted = true;
          continue;
        }
        justStarted = false;
        const context = { index: next++, worker: userIndex };
        recorder.requested += 1;
        await measure(recorder, operation, context, recorder.clock(), groupOf?.(context));
        if (thinkTimeMs > 0) await sleep(thinkTimeMs);
      }
    };
    return withProgress(recorder, options, { ms: users.durationMs }, async () => {
      await Promise.all(Array.from({ length: users.maxUsers }, (_, index) => user(index)));
    });
  }

  private meta(options: CommonOptions, model: RecorderMeta['model'], extra: Partial<RecorderMeta>): RecorderMeta {
    return { label: options.label ?? `${model} model`, model, ...extra };
  }
}
