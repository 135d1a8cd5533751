/**
 * Runs stages of one project in order, stopping at the first failure, and reports progress as
 * `mlestar.*` events. Storage and transport stay outside: the caller persists the project after
 * each stage (`afterStage`) and forwards events to its bus.
 */
import { beginRun, endRun, finishStage, planRun, startStage, type WorkflowState } from './stage-machine';
import { STAGE_RUNNERS, type ProjectArtifacts, type StageOutcome, type StageRunner } from './stages';
import type { ProjectConfig, StageName } from './types';

export interface ProjectAggregate {
  config: ProjectConfig;
  workflow: WorkflowState;
  /** What each stage reported on its last run. */
  outputs: Partial<Record<StageName, Record<string, unknown>>>;
  artifacts: ProjectArtifacts;
}

export type WorkflowEventType =
  | 'mlestar.workflow_started'
  | 'mlestar.stage_started'
  | 'mlestar.stage_completed'
  | 'mlestar.stage_failed'
  | 'mlestar.workflow_completed'
  | 'mlestar.workflow_paused'
  | 'mlestar.workflow_failed';

export interface WorkflowHooks {
  emit(type: WorkflowEventType, data: Record<string, unknown>): void;
  /** Called after every stage (and once after the run ends) so the caller can persist the project. */
  afterStage?(project: ProjectAggregate, stage: StageName | undefined): Promise<void>;
  now?(): Date;
  /** Replaces stage runners (tests, and the reference's named faults). */
  runners?: Partial<Record<StageName, StageRunner>>;
}

/** Validates the request against the stage order and marks the run as started; throws StageOrderError. */
export function prepareRun(project: ProjectAggregate, options: { from?: StageName; to?: StageName } = {}): StageName[] {
  const stages = planRun(project.workflow, options);
  beginRun(project.workflow, stages);
  for (const stage of stages) delete project.outputs[stage];
  return stages;
}

/** Executes prepared stages one after another; resolves when the run has completed, failed or stopped. */
export async function executeRun(project: ProjectAggregate, stages: readonly StageName[], hooks: WorkflowHooks): Promise<void> {
  const now = hooks.now ?? (() => new Date());
  hooks.emit('mlestar.workflow_started', { stages: [...stages], from: stages[0], to: stages[stages.length - 1] });
  for (const [index, stage] of stages.entries()) {
    startStage(project.workflow, stage, now());
    hooks.emit('mlestar.stage_started', { stage, index: index + 1, of: stages.length });
    const started = performance.now();
    const outcome = runStage(stage, project, hooks, now());
    const durationMs = Math.round((performance.now() - started) * 1000) / 1000;
    finishStage(project.workflow, stage, outcome.ok ? { ok: true } : { ok: false, reason: outcome.reason }, now(), durationMs);
    if (outcome.output) project.outputs[stage] = outcome.output;
    if (outcome.ok) {
      Object.assign(project.artifacts, outcome.artifacts ?? {});
      hooks.emit('mlestar.stage_completed', { stage, duration_ms: durationMs, summary: outcome.summary });
    } else {
      hooks.emit('mlestar.stage_failed', { stage, duration_ms: durationMs, reason: outcome.reason });
    }
    await hooks.afterStage?.(project, stage);
    if (!outcome.ok) {
      hooks.emit('mlestar.workflow_failed', { stage, reason: project.workflow.failure_reason });
      return;
    }
  }
  endRun(project.workflow);
  await hooks.afterStage?.(project, undefined);
  if (project.workflow.status === 'completed') hooks.emit('mlestar.workflow_completed', { stages: project.workflow.stages.map((s) => ({ stage: s.name, duration_ms: s.duration_ms })) });
  else hooks.emit('mlestar.workflow_paused', { after: stages[stages.length - 1] });
}

function runStage(stage: StageName, project: ProjectAggregate, hooks: WorkflowHooks, now: Date): StageOutcome {
  const runner = hooks.runners?.[stage] ?? STAGE_RUNNERS[stage];
  try {
    return runner({ config: project.config, artifacts: project.artifacts, now });
  } catch (error) {
    return { ok: false, reason: `the stage stopped unexpectedly: ${(error as Error).message}` };
  }
}
