import { loadConfig } from './config';
import { TestEnvironment } from './environment';
import { isDryRun, reportFiles } from './report/files';
import { claimReports, REPORTS_CLAIMED, ReportsBusyError } from './report/lock';

/**
 * Provisions the run's environment once: for an external target, waits until it answers; otherwise
 * starts services and the embedded reference. The resolved variables are written into `env`, which
 * cucumber hands to every worker. Returns the cleanup to run when cucumber is done.
 */
export async function provisionForRun(env: NodeJS.ProcessEnv, log: (line: string) => void): Promise<(() => Promise<void>) | undefined> {
  if (isDryRun()) return undefined;
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

/**
 * Claims the reports folder for a cucumber-js started directly (the npm scripts hold the claim
 * themselves and say so in REPORTS_CLAIMED). Runs before the formatters open their files, so a
 * refused run overwrites nothing; the claim is released when the process exits, after they flush.
 */
export function claimReportsForRun(env: NodeJS.ProcessEnv, log: (line: string) => void): void {
  if (env[REPORTS_CLAIMED] || isDryRun()) return;
  const files = reportFiles(loadConfig(env).reportsDir);
  try {
    process.once('exit', claimReports(files, ['cucumber-js', ...process.argv.slice(2)].join(' ')));
  } catch (error) {
    if (!(error instanceof ReportsBusyError)) throw error;
    log(`novacron-spec: ${error.message}`);
    process.exit(2);
  }
}
