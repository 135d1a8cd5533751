/** Building blocks shared by the MLE-Star unit tests. */
import { validateProjectConfig } from '../../reference/mlestar/config';
import { initialWorkflow } from '../../reference/mlestar/stage-machine';
import type { ProjectConfig } from '../../reference/mlestar/types';
import { executeRun, prepareRun, type ProjectAggregate, type WorkflowHooks } from '../../reference/mlestar/workflow';

export const TARGETS: Record<ProjectConfig['type'], Record<string, number>> = {
  classification: { accuracy: 0.8, f1: 0.8 },
  regression: { r2: 0.8 },
  clustering: { silhouette: 0.5 },
  time_series: { mape: 0.1 },
};

export function configOf(input: Record<string, unknown>): ProjectConfig {
  const type = (input.type ?? 'classification') as ProjectConfig['type'];
  const result = validateProjectConfig({ name: 'unit-project', type, framework: 'sklearn', metric_targets: TARGETS[type], ...input });
  if (!result.ok) throw new Error(`test configuration refused: ${JSON.stringify(result.errors)}`);
  return result.config;
}

export function projectOf(input: Record<string, unknown> = {}): ProjectAggregate {
  return { config: configOf(input), workflow: initialWorkflow(), outputs: {}, artifacts: {} };
}

export interface RecordedEvent {
  type: string;
  data: Record<string, unknown>;
}

/** Runs the workflow (or part of it) and returns the events it published. */
export async function run(project: ProjectAggregate, options: Parameters<typeof prepareRun>[1] = {}, hooks: Partial<WorkflowHooks> = {}): Promise<RecordedEvent[]> {
  const events: RecordedEvent[] = [];
  await executeRun(project, prepareRun(project, options), { emit: (type, data) => events.push({ type, data }), ...hooks });
  return events;
}
