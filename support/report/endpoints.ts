import { EndpointMetrics, type EndpointFigures, type EndpointSummary } from '../api-client';

/** What each cucumber worker writes at the end of its run (support/hooks.ts). */
export interface WorkerFigures {
  endpoints: Record<string, EndpointFigures>;
  contract_warnings: string[];
}

/** The run's figures per endpoint: every worker's latencies in one histogram, errors added up. */
export function mergeEndpointFigures(workers: readonly WorkerFigures[]): Record<string, EndpointSummary> {
  const merged = new EndpointMetrics();
  for (const worker of workers) {
    for (const [operation, figures] of Object.entries(worker.endpoints)) merged.add(operation, figures);
  }
  return merged.summary();
}
