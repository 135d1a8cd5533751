/**
 * Monitoring of a deployed endpoint: request, prediction and error counters, latency percentiles
 * and alert rules over a sliding window of recent requests. Plain JSON state, so it can be stored.
 */
import type { MonitoringConfig } from './types';

/** Recent requests the error rate and latency percentiles are computed over. */
export const MONITORING_WINDOW = 100;

export type AlertRule = 'error_rate' | 'latency_p95';

export interface Alert {
  rule: AlertRule;
  status: 'firing' | 'resolved';
  value: number;
  threshold: number;
  message: string;
  fired_at: string;
  resolved_at?: string;
}

export interface MonitoringState {
  requests: number;
  predictions: number;
  errors: number;
  /** The last MONITORING_WINDOW requests: latency in ms and whether they failed. */
  recent: { latency_ms: number; failed: boolean }[];
  alerts: Alert[];
}

export interface MonitoringSnapshot {
  requests: number;
  predictions: number;
  errors: number;
  window: number;
  error_rate: number;
  latency_ms: { mean: number; p50: number; p95: number; max: number };
  thresholds: { error_rate: number; latency_p95_ms: number; min_requests: number };
  healthy: boolean;
  alerts: Alert[];
}

export function emptyMonitoring(): MonitoringState {
  return { requests: 0, predictions: 0, errors: 0, recent: [], alerts: [] };
}

/** Records one request and evaluates the alert rules; returns the alerts that changed state. */
export function recordRequest(state: MonitoringState, request: { latencyMs: number; failed: boolean; predictions: number }, config: MonitoringConfig, now: Date): Alert[] {
  state.requests++;
  state.predictions += request.predictions;
  if (request.failed) state.errors++;
  state.recent.push({ latency_ms: Math.max(0, request.latencyMs), failed: request.failed });
  if (state.recent.length > MONITORING_WINDOW) state.recent.splice(0, state.recent.length - MONITORING_WINDOW);
  return evaluateAlerts(state, config, now);
}

export function evaluateAlerts(state: MonitoringState, config: MonitoringConfig, now: Date): Alert[] {
  const changed: Alert[] = [];
  const { errorRate, p95 } = windowFigures(state);
  const enough = state.recent.length >= config.min_requests;
  const rules: { rule: AlertRule; value: number; threshold: number; breached: boolean; message: string }[] = [
    {
      rule: 'error_rate',
      value: errorRate,
      threshold: config.error_rate_threshold,
      breached: enough && errorRate >= config.error_rate_threshold,
      message: `error rate ${round(errorRate)} over the last ${state.recent.length} requests is at or above ${config.error_rate_threshold}`,
    },
    {
      rule: 'latency_p95',
      value: p95,
      threshold: config.latency_p95_ms,
      breached: enough && p95 > config.latency_p95_ms,
      message: `95th percentile latency ${round(p95)} ms is above ${config.latency_p95_ms} ms`,
    },
  ];
  for (const rule of rules) {
    const open = state.alerts.find((alert) => alert.rule === rule.rule && alert.status === 'firing');
    if (rule.breached && !open) {
      const alert: Alert = { rule: rule.rule, status: 'firing', value: rule.value, threshold: rule.threshold, message: rule.message, fired_at: now.toISOString() };
      state.alerts.push(alert);
      changed.push(alert);
    } else if (!rule.breached && open && enough) {
      open.status = 'resolved';
      open.resolved_at = now.toISOString();
      open.value = rule.value;
      changed.push(open);
    } else if (open) open.value = rule.value;
  }
  return changed;
}

export function snapshot(state: MonitoringState, config: MonitoringConfig): MonitoringSnapshot {
  const { errorRate, p95 } = windowFigures(state);
  const latencies = state.recent.map((r) => r.latency_ms).sort((a, b) => a - b);
  return {
    requests: state.requests,
    predictions: state.predictions,
    errors: state.errors,
    window: state.recent.length,
    error_rate: errorRate,
    latency_ms: {
      mean: latencies.length ? round(latencies.reduce((a, b) => a + b, 0) / latencies.length) : 0,
      p50: round(percentile(latencies, 0.5)),
      p95: round(p95),
      max: round(latencies[latencies.length - 1] ?? 0),
    },
    thresholds: { error_rate: config.error_rate_threshold, latency_p95_ms: config.latency_p95_ms, min_requests: config.min_requests },
    healthy: errorRate < config.error_rate_threshold && p95 <= config.latency_p95_ms,
    alerts: state.alerts.slice(),
  };
}

function windowFigures(state: MonitoringState): { errorRate: number; p95: number } {
  const failed = state.recent.filter((r) => r.failed).length;
  const latencies = state.recent.map((r) => r.latency_ms).sort((a, b) => a - b);
  return { errorRate: state.recent.length ? failed / state.recent.length : 0, p95: percentile(latencies, 0.95) };
}

/** Nearest-rank percentile of sorted values (0 for none). */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1))];
}

function round(value: number): number {
  return Math.round(value * 1000) / 1000;
}
