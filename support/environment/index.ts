export {
  TestEnvironment,
  REPO_ROOT,
  SERVICE_NAMES,
  type ServiceName,
  type ResolvedEnvironment,
  type EnvironmentVariables,
  type TestEnvironmentOptions,
} from './test-environment';
export { EnvironmentError, waitForTarget, type TargetWaitOptions } from './target';
export {
  planPostgres,
  planRedis,
  planTarget,
  type DockerFacts,
  type ServiceFacts,
  type PostgresPlan,
  type RedisPlan,
  type TargetPlan,
} from './decisions';
export { READY_LINE } from './reference-process';
