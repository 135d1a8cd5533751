/** PostgreSQL persistence of MLE-Star projects: one row per project, one per deployed endpoint. */
import type { PoolClient } from 'pg';
import type { Migration } from '../module';
import type { EndpointRuntime } from './operations';
import type { WorkflowState } from './stage-machine';
import type { ProjectArtifacts } from './stages';
import type { Environment, ProjectConfig, StageName } from './types';

export const MLESTAR_MIGRATIONS: Migration[] = [
  {
    id: '001-projects-and-endpoints',
    sql: `
      CREATE TABLE mlestar_projects (
        id text PRIMARY KEY,
        name text NOT NULL UNIQUE,
        config jsonb NOT NULL,
        workflow jsonb NOT NULL,
        outputs jsonb NOT NULL,
        artifacts jsonb NOT NULL,
        created_at timestamptz NOT NULL,
        updated_at timestamptz NOT NULL
      );
      CREATE TABLE mlestar_endpoints (
        project_id text NOT NULL REFERENCES mlestar_projects (id) ON DELETE CASCADE,
        environment text NOT NULL,
        runtime jsonb NOT NULL,
        updated_at timestamptz NOT NULL,
        PRIMARY KEY (project_id, environment)
      );`,
  },
];

export interface StoredProject {
  id: string;
  name: string;
  config: ProjectConfig;
  workflow: WorkflowState;
  outputs: Partial<Record<StageName, Record<string, unknown>>>;
  artifacts: ProjectArtifacts;
  created_at: string;
  updated_at: string;
}

interface ProjectRow extends Omit<StoredProject, 'created_at' | 'updated_at'> {
  created_at: Date;
  updated_at: Date;
}

interface EndpointRow {
  project_id: string;
  environment: Environment;
  runtime: EndpointRuntime;
}

export async function loadAll(client: { query: PoolClient['query'] }): Promise<{ projects: StoredProject[]; endpoints: EndpointRow[] }> {
  const { rows } = await client.query<ProjectRow>('SELECT * FROM mlestar_projects ORDER BY created_at, id');
  const { rows: endpoints } = await client.query<EndpointRow>('SELECT project_id, environment, runtime FROM mlestar_endpoints');
  return {
    projects: rows.map((row) => ({ ...row, created_at: row.created_at.toISOString(), updated_at: row.updated_at.toISOString() })),
    endpoints,
  };
}

export async function insertProject(client: PoolClient, project: StoredProject): Promise<void> {
  await client.query(
    `INSERT INTO mlestar_projects (id, name, config, workflow, outputs, artifacts, created_at, updated_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
    [project.id, project.name, json(project.config), json(project.workflow), json(project.outputs), json(project.artifacts), project.created_at, project.updated_at],
  );
}

export async function updateProject(client: PoolClient, project: StoredProject): Promise<void> {
  await client.query(
    `UPDATE mlestar_projects SET name = $2, config = $3, workflow = $4, outputs = $5, artifacts = $6, updated_at = $7 WHERE id = $1`,
    [project.id, project.name, json(project.config), json(project.workflow), json(project.outputs), json(project.artifacts), project.updated_at],
  );
}

export async function deleteProject(client: PoolClient, id: string): Promise<void> {
  await client.query('DELETE FROM mlestar_projects WHERE id = $1', [id]);
}

/** Replaces the project's endpoints (a new deployment starts with fresh counters). */
export async function replaceEndpoints(client: PoolClient, projectId: string, endpoints: Map<Environment, EndpointRuntime>, now: string): Promise<void> {
  await client.query('DELETE FROM mlestar_endpoints WHERE project_id = $1', [projectId]);
  for (const [environment, runtime] of endpoints) await saveEndpoint(client, projectId, environment, runtime, now);
}

export async function saveEndpoint(client: PoolClient, projectId: string, environment: Environment, runtime: EndpointRuntime, now: string): Promise<void> {
  await client.query(
    `INSERT INTO mlestar_endpoints (project_id, environment, runtime, updated_at) VALUES ($1, $2, $3, $4)
     ON CONFLICT (project_id, environment) DO UPDATE SET runtime = EXCLUDED.runtime, updated_at = EXCLUDED.updated_at`,
    [projectId, environment, json(runtime), now],
  );
}

function json(value: unknown): string {
  return JSON.stringify(value);
}
