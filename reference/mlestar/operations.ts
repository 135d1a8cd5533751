/** What a deployed project does after the workflow: answer predictions, watch itself, detect drift. */
import type { Design } from './design';
import { detectDrift, type DriftReport } from './drift';
import { answer, type PredictionResult } from './endpoint';
import type { TrainedModel } from './models';
import { emptyMonitoring, recordRequest, type Alert, type MonitoringState } from './monitoring';
import type { MaintenanceConfig, Matrix, MonitoringConfig } from './types';

/** Valid production inputs kept per endpoint: drift checks compare the latest ones with the training rows. */
export const RECENT_INPUTS = 200;

export interface EndpointRuntime {
  monitoring: MonitoringState;
  recent_inputs: Matrix;
}

export function emptyRuntime(): EndpointRuntime {
  return { monitoring: emptyMonitoring(), recent_inputs: [] };
}

/** Answers one request, counts it (a refused request is an error) and returns the alerts that changed. */
export function servePrediction(
  runtime: EndpointRuntime,
  deployed: { model: TrainedModel; design: Design; monitoring: MonitoringConfig },
  body: unknown,
  now: Date,
): { result: PredictionResult; latencyMs: number; alerts: Alert[] } {
  const started = performance.now();
  const result = answer(deployed.model, deployed.design, body);
  const latencyMs = performance.now() - started;
  if (result.ok) {
    const instances = (body as { instances: Matrix }).instances;
    runtime.recent_inputs.push(...instances.map((row) => row.slice()));
    if (runtime.recent_inputs.length > RECENT_INPUTS) runtime.recent_inputs.splice(0, runtime.recent_inputs.length - RECENT_INPUTS);
  }
  const alerts = recordRequest(runtime.monitoring, { latencyMs, failed: !result.ok, predictions: result.ok ? result.predictions.length : 0 }, deployed.monitoring, now);
  return { result, latencyMs, alerts };
}

/** Compares the endpoint's recent inputs with the training rows by the project's drift statistic. */
export function checkDrift(runtime: EndpointRuntime, baseline: Matrix, design: Design, maintenance: MaintenanceConfig): DriftReport {
  return detectDrift(baseline, runtime.recent_inputs, design.input_features, { statistic: maintenance.drift_statistic, threshold: maintenance.drift_threshold });
}
