/**
 * The order of the seven stages: a stage runs only after every earlier stage has succeeded, a
 * failed stage stops the workflow with its reason, and a workflow resumes from a stage by running
 * it and everything after it again.
 */
import { STAGES, type StageName } from './types';

export type StageStatus = 'pending' | 'running' | 'succeeded' | 'failed';
/** paused: some stages succeeded and the last run stopped early on request (`to`). */
export type WorkflowStatus = 'not_started' | 'running' | 'paused' | 'failed' | 'completed';

export interface StageRecord {
  name: StageName;
  status: StageStatus;
  attempts: number;
  started_at?: string;
  finished_at?: string;
  duration_ms?: number;
  /** Why the stage failed, one readable sentence. */
  error?: string;
}

export interface WorkflowState {
  status: WorkflowStatus;
  current_stage?: StageName;
  failed_stage?: StageName;
  failure_reason?: string;
  stages: StageRecord[];
}

/** A request the stage order does not allow; `reason` is one readable sentence. */
export class StageOrderError extends Error {
  constructor(readonly reason: string) {
    super(reason);
    this.name = 'StageOrderError';
  }
}

export function initialWorkflow(): WorkflowState {
  return { status: 'not_started', stages: STAGES.map((name) => ({ name, status: 'pending', attempts: 0 })) };
}

export function isStage(value: unknown): value is StageName {
  return typeof value === 'string' && (STAGES as readonly string[]).includes(value);
}

export function stageRecord(state: WorkflowState, stage: StageName): StageRecord {
  return state.stages.find((record) => record.name === stage) as StageRecord;
}

/** Why `stage` may not run now, or undefined when it may. */
export function refusalToRun(state: WorkflowState, stage: StageName): string | undefined {
  if (state.status === 'running') return `the workflow is already running ${state.current_stage ?? 'a stage'}; wait for it to finish`;
  const index = STAGES.indexOf(stage);
  const blocking = state.stages.slice(0, index).find((record) => record.status !== 'succeeded');
  if (blocking) return `${stage} cannot run before ${blocking.name} has succeeded (${blocking.name} is ${blocking.status})`;
  return undefined;
}

/**
 * The stages a run covers. Without `from`, the run continues at the first stage that has not
 * succeeded; with `from`, it resumes there (every earlier stage must have succeeded). `to` stops
 * after that stage.
 */
export function planRun(state: WorkflowState, options: { from?: StageName; to?: StageName } = {}): StageName[] {
  const from = options.from ?? state.stages.find((record) => record.status !== 'succeeded')?.name;
  if (!from) throw new StageOrderError('the workflow has already completed; resume it from a stage to run that stage and the later ones again');
  const refusal = refusalToRun(state, from);
  if (refusal) throw new StageOrderError(refusal);
  const start = STAGES.indexOf(from);
  const end = options.to ? STAGES.indexOf(options.to) : STAGES.length - 1;
  if (end < start) throw new StageOrderError(`a run from ${from} cannot stop at ${options.to}, which comes before it`);
  return STAGES.slice(start, end + 1);
}

/** Marks the stages a run covers (and everything after them) pending again: their old results are stale. */
export function beginRun(state: WorkflowState, stages: readonly StageName[]): void {
  const first = STAGES.indexOf(stages[0]);
  for (const record of state.stages.slice(first)) {
    record.status = 'pending';
    delete record.error;
  }
  state.status = 'running';
  state.current_stage = stages[0];
  delete state.failed_stage;
  delete state.failure_reason;
}

export function startStage(state: WorkflowState, stage: StageName, now: Date): void {
  const record = stageRecord(state, stage);
  record.status = 'running';
  record.attempts++;
  record.started_at = now.toISOString();
  delete record.finished_at;
  delete record.duration_ms;
  state.current_stage = stage;
}

export function finishStage(state: WorkflowState, stage: StageName, outcome: { ok: true } | { ok: false; reason: string }, now: Date, durationMs: number): void {
  const record = stageRecord(state, stage);
  record.finished_at = now.toISOString();
  record.duration_ms = durationMs;
  if (outcome.ok) {
    record.status = 'succeeded';
    return;
  }
  record.status = 'failed';
  record.error = outcome.reason;
  state.status = 'failed';
  state.failed_stage = stage;
  state.failure_reason = `${stage} failed: ${outcome.reason}`;
  delete state.current_stage;
}

/** Ends a run that stopped without a failure (completed, or stopped early at `to`). */
export function endRun(state: WorkflowState): void {
  if (state.status === 'failed') return;
  delete state.current_stage;
  if (state.stages.every((record) => record.status === 'succeeded')) state.status = 'completed';
  else state.status = state.stages.some((record) => record.status === 'succeeded') ? 'paused' : 'not_started';
}
