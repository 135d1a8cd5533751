/**
 * Where PostgreSQL and Redis come from, decided from facts alone (what answers, what was asked for,
 * which binaries exist), so the choice is unit-tested without any service running.
 */

export interface DockerFacts {
  /** NOVACRON_USE_DOCKER=true: the user asked for containers explicitly. */
  requested: boolean;
  /** A Docker engine answered a ping. */
  answers: boolean;
  /** Where the engine was looked for, e.g. `unix:///var/run/docker.sock`. */
  endpoint: string;
  /** Why it did not answer, e.g. `ENOENT`. */
  problem?: string;
}

export interface ServiceFacts {
  /** The configured URL (DB_URL / REDIS_URL), passwords already redacted. */
  url: string;
  urlAnswers: boolean;
  /** Why the URL did not answer, e.g. `ECONNREFUSED`. */
  urlProblem?: string;
  docker: DockerFacts;
}

export type PostgresPlan =
  | { source: 'url' }
  | { source: 'container' }
  | { source: 'embedded' }
  | { source: 'unavailable'; reason: string };

export type RedisPlan =
  | { source: 'url' }
  | { source: 'container' }
  | { source: 'binary'; path: string }
  | { source: 'unavailable'; reason: string };

export type TargetPlan = { kind: 'external'; url: string } | { kind: 'provision' };

/** A configured API URL means "test that server"; otherwise the suite provisions its own. */
export function planTarget(apiUrl: string | undefined): TargetPlan {
  return apiUrl ? { kind: 'external', url: apiUrl } : { kind: 'provision' };
}

/** DB_URL when it answers; else a container when Docker is asked for or answers; else embedded PostgreSQL. */
export function planPostgres(facts: ServiceFacts): PostgresPlan {
  if (facts.urlAnswers) return { source: 'url' };
  if (facts.docker.answers) return { source: 'container' };
  if (facts.docker.requested) return { source: 'unavailable', reason: dockerMissing('PostgreSQL', 'DB_URL', facts) };
  return { source: 'embedded' };
}

/** REDIS_URL when it answers; else a container when Docker is asked for or answers; else redis-server from PATH. */
export function planRedis(facts: ServiceFacts & { redisServerPath: string | undefined }): RedisPlan {
  if (facts.urlAnswers) return { source: 'url' };
  if (facts.docker.answers) return { source: 'container' };
  if (facts.docker.requested) return { source: 'unavailable', reason: dockerMissing('Redis', 'REDIS_URL', facts) };
  if (facts.redisServerPath) return { source: 'binary', path: facts.redisServerPath };
  return {
    source: 'unavailable',
    reason:
      `Redis is not available: REDIS_URL=${facts.url} does not answer (${facts.urlProblem ?? 'no answer'}), ` +
      'no redis-server is on PATH and no Docker engine answers; ' +
      'set REDIS_URL to a running Redis, install redis-server (e.g. apt-get install redis-server), or start Docker',
  };
}

function dockerMissing(service: string, urlVariable: string, facts: ServiceFacts): string {
  const { docker } = facts;
  return (
    `NOVACRON_USE_DOCKER=true but no Docker engine answers at ${docker.endpoint} (${docker.problem ?? 'no answer'}), ` +
    `so ${service} cannot be started in a container (${urlVariable}=${facts.url} does not answer either: ${facts.urlProblem ?? 'no answer'}); ` +
    `start Docker or set DOCKER_HOST, point ${urlVariable} at a running ${service}, or set NOVACRON_USE_DOCKER=false to let the suite start ${service} itself`
  );
}
