/**
 * MLE-Star projects as the API sees them: held in memory, written through to PostgreSQL before a
 * change shows, workflows run in the background with their progress on the event bus, and the
 * deployed endpoints answer predictions, count them and watch their inputs for drift.
 */
import { randomUUID } from 'node:crypto';
import type { EventBus } from '../core/events';
import { KeyedLock } from '../core/keyed-lock';
import { badRequest, conflict, HttpError, invalidInput, notFound } from '../http/errors';
import type { ReferenceContext } from '../module';
import { isObject, mergeConfig } from './config';
import { checkConfig, coerceInput, driftBaseline, faultyRunners, recordAsServed } from './defects';
import type { Design } from './design';
import { detectDrift, MIN_DRIFT_SAMPLES, type DriftReport } from './drift';
import { MLESTAR_FAULTS, type MlestarFaultFlags } from './faults';
import { snapshot, type MonitoringSnapshot } from './monitoring';
import { emptyRuntime, servePrediction, type EndpointRuntime } from './operations';
import { sampleDataSource } from './sampling';
import { beginRun, initialWorkflow, isStage, planRun, StageOrderError, stageRecord, type StageRecord } from './stage-machine';
import type { Deployment, StageRunner } from './stages';
import { deleteProject, insertProject, loadAll, replaceEndpoints, saveEndpoint, updateProject, type StoredProject } from './store';
import { ENVIRONMENTS, STAGES, type Environment, type ProjectConfig, type StageName } from './types';
import { executeRun, type ProjectAggregate, type WorkflowEventType } from './workflow';

interface ProjectRecord extends StoredProject {
  endpoints: Map<Environment, EndpointRuntime>;
  /** The workflow run in progress, if any. */
  run?: Promise<void>;
}

export interface RunRequest {
  from?: StageName;
  to?: StageName;
}

type Deps = Pick<ReferenceContext, 'db' | 'transaction' | 'faults' | 'log'> & { events: EventBus };

export class MlestarService {
  private readonly byId = new Map<string, ProjectRecord>();
  private readonly lock = new KeyedLock();
  private readonly runs = new Set<Promise<void>>();
  private readonly flags: MlestarFaultFlags;
  private readonly runners: Partial<Record<StageName, StageRunner>>;

  constructor(private readonly deps: Deps) {
    this.flags = MLESTAR_FAULTS.on(deps.faults);
    this.runners = faultyRunners(this.flags);
  }

  async load(): Promise<void> {
    const { projects, endpoints } = await loadAll(this.deps.db);
    for (const stored of projects) this.byId.set(stored.id, { ...stored, endpoints: new Map() });
    for (const row of endpoints) this.byId.get(row.project_id)?.endpoints.set(row.environment, row.runtime);
    for (const record of this.byId.values()) {
      if (record.workflow.status !== 'running') continue;
      // The reference stopped mid-run: the stage that was running did not finish.
      const stage = record.workflow.current_stage ?? 'specification';
      Object.assign(stageRecord(record.workflow, stage), { status: 'failed', error: 'the reference stopped while this stage was running' });
      Object.assign(record.workflow, { status: 'failed', failed_stage: stage, failure_reason: `${stage} failed: the reference stopped while this stage was running` });
      delete record.workflow.current_stage;
      await this.persist(record);
    }
  }

  /** Waits for the workflows in progress (the reference is closing). */
  async stop(): Promise<void> {
    await Promise.allSettled([...this.runs]);
  }

  list(query: URLSearchParams): Record<string, unknown> {
    const page = positiveInteger(query.get('page'), 'page', 1, 1_000_000);
    const pageSize = positiveInteger(query.get('page_size'), 'page_size', 50, 500);
    const prefix = query.get('name_prefix') ?? '';
    const matching = [...this.byId.values()].filter((record) => record.name.startsWith(prefix));
    const items = matching.slice((page - 1) * pageSize, page * pageSize).map(projectJson);
    return { items, total: matching.length, page, page_size: pageSize };
  }

  get(id: string): Record<string, unknown> {
    return projectJson(this.require(id));
  }

  async create(input: unknown): Promise<Record<string, unknown>> {
    const checked = checkConfig(input, this.flags);
    if (!checked.ok) throw invalidInput('project configuration', checked.errors);
    const { config } = checked;
    return this.lock.run(`name:${config.name}`, async () => {
      if (this.named(config.name)) throw conflict(`an MLE-Star project named "${config.name}" already exists`);
      const now = new Date().toISOString();
      const record: ProjectRecord = {
        id: `mlp-${randomUUID()}`,
        name: config.name,
        config,
        workflow: initialWorkflow(),
        outputs: {},
        artifacts: {},
        created_at: now,
        updated_at: now,
        endpoints: new Map(),
      };
      await this.deps.transaction((client) => insertProject(client, record));
      this.byId.set(record.id, record);
      this.publish('mlestar.project_created', record, { type: config.type, framework: config.framework });
      return projectJson(record);
    });
  }

  /** Changes the configuration; the stages already run keep their results until they run again. */
  async update(id: string, change: unknown): Promise<Record<string, unknown>> {
    return this.lock.run(id, async () => {
      const record = this.require(id);
      if (!isObject(change)) throw badRequest(`a project change must be an object of settings; got ${JSON.stringify(change)}`);
      if (record.workflow.status === 'running') throw conflict(`project "${record.name}" is running ${record.workflow.current_stage}; change it when the run has finished`);
      await record.run;
      const checked = checkConfig(mergeConfig(record.config, change), this.flags);
      if (!checked.ok) throw invalidInput('project configuration', checked.errors);
      if (checked.config.name !== record.name && this.named(checked.config.name)) throw conflict(`an MLE-Star project named "${checked.config.name}" already exists`);
      const updated = { ...record, config: checked.config, name: checked.config.name, updated_at: new Date().toISOString() };
      await this.deps.transaction((client) => updateProject(client, updated));
      Object.assign(record, { config: updated.config, name: updated.name, updated_at: updated.updated_at });
      return projectJson(record);
    });
  }

  async remove(id: string): Promise<{ id: string; status: 'deleted' }> {
    return this.lock.run(id, async () => {
      const record = this.require(id);
      await record.run;
      await this.deps.transaction((client) => deleteProject(client, id));
      this.byId.delete(id);
      this.publish('mlestar.project_deleted', record, {});
      return { id, status: 'deleted' };
    });
  }

  /** Starts a run (202): refused with 409 when the stage order does not allow it. */
  async run(id: string, request: RunRequest): Promise<Record<string, unknown>> {
    return this.lock.run(id, async () => {
      const record = this.require(id);
      // A run that has just ended may still be saving its last results.
      if (record.workflow.status !== 'running') await record.run;
      const before = structuredClone(record.workflow);
      const outputsBefore = { ...record.outputs };
      let stages: StageName[];
      try {
        stages = this.plan(record, request);
      } catch (error) {
        if (error instanceof StageOrderError) throw conflict(`project "${record.name}" cannot run that way: ${error.reason}`, { workflow_status: record.workflow.status });
        throw error;
      }
      record.updated_at = new Date().toISOString();
      try {
        await this.persist(record);
      } catch (error) {
        record.workflow = before;
        record.outputs = outputsBefore;
        throw error;
      }
      const run = this.execute(record, stages).finally(() => {
        this.runs.delete(run);
        if (record.run === run) delete record.run;
      });
      record.run = run;
      this.runs.add(run);
      return { project_id: record.id, status: 'running', from: stages[0], to: stages[stages.length - 1], stages };
    });
  }

  stage(id: string, name: string): Record<string, unknown> {
    const record = this.require(id);
    if (!isStage(name)) throw notFound(`unknown stage "${name}": expected one of ${STAGES.join(', ')}`);
    const output = record.outputs[name];
    return { ...stageRecord(record.workflow, name), ...(output ? { output } : {}) };
  }

  files(id: string): Record<string, unknown> {
    const record = this.require(id);
    const listed = (record.outputs.implementation?.files ?? []) as unknown[];
    return { items: listed };
  }

  file(id: string, path: string | null): Record<string, unknown> {
    const record = this.require(id);
    if (!path) throw invalidInput('file request', [{ field: 'path', message: 'is required; expected the path of a generated file, e.g. model.py' }]);
    const file = record.artifacts.files?.find((candidate) => candidate.path === path);
    if (!file || !record.outputs.implementation) throw notFound(`project "${record.name}" has no generated file ${path}`);
    const listed = (record.outputs.implementation.files as { path: string; sha256: string; bytes: number }[]).find((entry) => entry.path === path);
    return { path: file.path, kind: file.kind, bytes: listed?.bytes ?? Buffer.byteLength(file.content), sha256: listed?.sha256 ?? '', content: file.content };
  }

  deployments(id: string): Record<string, unknown> {
    const record = this.require(id);
    return { items: record.artifacts.deployments ?? [] };
  }

  async predict(id: string, environment: string, body: unknown): Promise<Record<string, unknown>> {
    const record = this.require(id);
    const { deployment, design } = this.deployed(record, environment);
    const model = record.artifacts.model as NonNullable<ProjectRecord['artifacts']['model']>;
    return this.lock.run(`${id}:${deployment.environment}`, async () => {
      const runtime = structuredClone(record.endpoints.get(deployment.environment) ?? emptyRuntime());
      const endpoint = { model, design, monitoring: record.config.monitoring };
      const input = coerceInput(body, design.input_features.length, this.flags);
      const now = new Date();
      const outcome = this.flags.errorsNotCounted ? recordAsServed(runtime, endpoint, input, now) : servePrediction(runtime, endpoint, input, now);
      await this.deps.transaction((client) => saveEndpoint(client, id, deployment.environment, runtime, now.toISOString()));
      record.endpoints.set(deployment.environment, runtime);
      for (const alert of outcome.alerts) {
        this.publish(alert.status === 'firing' ? 'mlestar.alert_fired' : 'mlestar.alert_resolved', record, { environment: deployment.environment, ...alert });
      }
      if (!outcome.result.ok) throw new HttpError(400, outcome.result.error, outcome.result.details);
      return {
        environment: deployment.environment,
        model_version: deployment.model_version,
        predictions: outcome.result.predictions,
        latency_ms: Math.round(outcome.latencyMs * 1000) / 1000,
      };
    });
  }

  monitoring(id: string, environment: string): MonitoringSnapshot & { environment: Environment; model_version: number } {
    const record = this.require(id);
    const { deployment } = this.deployed(record, environment);
    const runtime = record.endpoints.get(deployment.environment) ?? emptyRuntime();
    return { environment: deployment.environment, model_version: deployment.model_version, ...snapshot(runtime.monitoring, record.config.monitoring) };
  }

  checkDrift(id: string, environment: string): DriftReport & { environment: Environment; checked_at: string; retraining_recommended: boolean } {
    const record = this.require(id);
    const { deployment, design } = this.deployed(record, environment);
    const runtime = record.endpoints.get(deployment.environment) ?? emptyRuntime();
    if (runtime.recent_inputs.length < MIN_DRIFT_SAMPLES) {
      throw conflict(`a drift check needs at least ${MIN_DRIFT_SAMPLES} recent inputs; ${deployment.environment} has received ${runtime.recent_inputs.length}`);
    }
    const baseline = driftBaseline(record.artifacts.baseline ?? [], runtime, this.flags);
    const { drift_statistic: statistic, drift_threshold: threshold } = record.config.maintenance;
    const report = detectDrift(baseline, runtime.recent_inputs, design.input_features, { statistic, threshold });
    const result = { environment: deployment.environment, checked_at: new Date().toISOString(), ...report, retraining_recommended: report.drifted };
    if (report.drifted) {
      this.publish('mlestar.drift_detected', record, { environment: deployment.environment, statistic, drifted_features: report.drifted_features });
    }
    return result;
  }

  /** Fresh rows from the project's data source, drawn with `seed` (what new production traffic looks like). */
  sample(id: string, query: URLSearchParams): Record<string, unknown> {
    const record = this.require(id);
    const count = positiveInteger(query.get('count'), 'count', 100, 1000);
    const seed = positiveInteger(query.get('seed'), 'seed', 1, 2 ** 31 - 1);
    const design = record.artifacts.design as Design | undefined;
    const features = design?.input_features ?? [];
    return { features, seed, instances: sampleDataSource(record.config, count, seed) };
  }

  private plan(record: ProjectRecord, request: RunRequest): StageName[] {
    const aggregate = record as unknown as ProjectAggregate;
    const options = this.flags.resumeFromFailedStage ? { to: request.to } : request;
    if (this.flags.orderNotEnforced && options.from) {
      const stages = STAGES.slice(STAGES.indexOf(options.from), options.to ? STAGES.indexOf(options.to) + 1 : STAGES.length);
      beginRun(record.workflow, stages);
      return stages;
    }
    const stages = planRun(aggregate.workflow, options);
    beginRun(aggregate.workflow, stages);
    for (const stage of stages) delete record.outputs[stage];
    return stages;
  }

  private async execute(record: ProjectRecord, stages: StageName[]): Promise<void> {
    // Let the answer to the request go out before the first stage starts.
    await new Promise((resolve) => setImmediate(resolve));
    try {
      await executeRun(record as unknown as ProjectAggregate, stages, {
        emit: (type, data) => {
          if (this.flags.noStageEvents && type.startsWith('mlestar.stage_')) return;
          this.publish(type, record, data);
        },
        afterStage: async (_project, stage) => {
          record.updated_at = new Date().toISOString();
          const deployed = stage === 'deployment' && stageRecord(record.workflow, 'deployment').status === 'succeeded';
          if (deployed) record.endpoints = new Map((record.artifacts.deployments ?? []).map((d) => [d.environment, emptyRuntime()]));
          await this.persist(record, deployed);
        },
        runners: this.runners,
      });
    } catch (error) {
      const stage = record.workflow.current_stage ?? record.workflow.stages.find((s) => s.status === 'running')?.name ?? stages[0];
      const reason = `its results could not be saved: ${(error as Error).message}`;
      Object.assign(stageRecord(record.workflow, stage), { status: 'failed', error: reason } satisfies Partial<StageRecord>);
      Object.assign(record.workflow, { status: 'failed', failed_stage: stage, failure_reason: `${stage} failed: ${reason}` });
      delete record.workflow.current_stage;
      this.deps.log.warn(`MLE-Star project ${record.name}: ${reason}`);
      this.publish('mlestar.workflow_failed', record, { stage, reason: record.workflow.failure_reason });
      await this.persist(record).catch(() => undefined);
    }
  }

  private async persist(record: ProjectRecord, withEndpoints = false): Promise<void> {
    await this.deps.transaction(async (client) => {
      await updateProject(client, record);
      if (withEndpoints) await replaceEndpoints(client, record.id, record.endpoints, record.updated_at);
    });
  }

  private deployed(record: ProjectRecord, environment: string): { deployment: Deployment; design: Design } {
    if (!(ENVIRONMENTS as readonly string[]).includes(environment)) throw notFound(`unknown environment "${environment}": expected one of ${ENVIRONMENTS.join(', ')}`);
    const deployment = record.artifacts.deployments?.find((d) => d.environment === environment);
    const design = record.artifacts.design;
    if (!deployment || !design || !record.artifacts.model) throw notFound(`project "${record.name}" has no model deployed to ${environment}`);
    return { deployment, design };
  }

  private require(id: string): ProjectRecord {
    const record = this.byId.get(id);
    if (!record) throw notFound(`MLE-Star project ${id} not found`);
    return record;
  }

  private named(name: string): boolean {
    for (const record of this.byId.values()) if (record.name === name) return true;
    return false;
  }

  private publish(type: WorkflowEventType | `mlestar.${string}`, record: ProjectRecord, data: Record<string, unknown>): void {
    this.deps.events.publish(type, { project_id: record.id, project: record.name, ...data });
  }
}

function projectJson(record: ProjectRecord): Record<string, unknown> {
  const { config, workflow } = record;
  return {
    id: record.id,
    name: record.name,
    type: config.type,
    framework: config.framework,
    config: config as unknown as ProjectConfig,
    workflow,
    deployed_to: (record.artifacts.deployments ?? []).map((d) => d.environment),
    created_at: record.created_at,
    updated_at: record.updated_at,
  };
}

function positiveInteger(value: string | null, field: string, fallback: number, max: number): number {
  if (value === null || value === '') return fallback;
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed < 1 || parsed > max) {
    throw invalidInput('query', [{ field, message: `must be a whole number from 1 to ${max}; got "${value}"` }]);
  }
  return parsed;
}
