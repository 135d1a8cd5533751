import { loadConfig } from './config';
import { TestEnvironment } from './environment';

const DRY_RUN_FLAGS = ['--dry-run', '-d'];

/**
 * Provisions the run's environment once: for an external target, waits until it answers; otherwise
 * starts services and the embedded reference. The resolved variables are written into `env`, which
 * cucumber hands to every worker. Returns the cleanup to run when cucumber is done.
 */
export async function provisionForRun(env: NodeJS.ProcessEnv, log: (line: string) => void): Promise<(() => Promise<void>) | undefined> {
  if (process.argv.some((arg) => DRY_RUN_FLAGS.includes(arg))) return undefined;
  const config = loadConfig(env);
  const environment = new TestEnvironment(config);
  try {
    await environment.setup();
  } catch (error) {
    await environment.cleanup().catch(() => undefined);
    log(`novacron-spec: ${(error as Error).message}`);
    process.exit(2);
  }
  Object.assign(env, environment.toEnv());
  return () => environment.cleanup();
}
