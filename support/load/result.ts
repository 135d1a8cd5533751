import type { ErrorCounts, ErrorKind } from './errors';
import type { LatencySummary } from './histogram';
import type { SeriesPoint } from './series';

export type LoadModel = 'closed' | 'open';

/** The figures of one group of requests (e.g. one endpoint) within a run. */
export interface GroupResult {
  requests: number;
  succeeded: number;
  successRate: number;
  latency: LatencySummary;
}

/** Everything a load run measured; plain data (JSON-serialisable) for reports and assertions. */
export interface LoadResult {
  label: string;
  model: LoadModel;
  /** closed model: number of workers */
  concurrency?: number;
  /** open model: the intended arrival rate, requests per second */
  targetRate?: number;
  startedAt: string;
  /** wall time from the first request to the last completion */
  durationMs: number;
  /** requests that were due (open model) or handed to a worker (closed model) */
  requests: number;
  succeeded: number;
  failed: number;
  /** succeeded / requests, 0-1 (1 when nothing was sent) */
  successRate: number;
  /** completed requests per second over durationMs */
  throughput: number;
  /** succeeded requests per second over durationMs */
  successThroughput: number;
  /** every completed request, success or failure; open model: from the intended send time */
  latency: LatencySummary;
  errors: ErrorCounts;
  /** the first few distinct error messages per kind */
  errorSamples: Partial<Record<ErrorKind, string[]>>;
  /** open model: the largest delay between an intended send time and the actual send */
  maxSendLagMs?: number;
  series: SeriesPoint[];
  /** per group, when the run named groups (`groupOf`) */
  groups?: Record<string, GroupResult>;
}
