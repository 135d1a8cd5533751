import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { settleConfig, type Config } from './config';
import { DISCOVERY_VARIABLE, discover, type Discovery } from './discovery';
import { adminToken, leftOver, leftoversLine, takeInventory, type Inventory } from './leftovers';
import { TestEnvironment } from './environment';
import { isDryRun, reportFiles } from './report/files';
import { claimReports, REPORTS_CLAIMED, ReportsBusyError } from './report/lock';

/**
 * Provisions the run's environment once: for an external target, waits until it answers; otherwise
 * starts services and the embedded reference. The resolved variables are written into `env`, which
 * cucumber hands to every worker. Returns the cleanup to run when cucumber is done.
 */
export async function provisionForRun(config: Config, env: NodeJS.ProcessEnv, log: (line: string) => void): Promise<(() => Promise<void>) | undefined> {
  if (isDryRun()) return undefined;
  const environment = new TestEnvironment(config);
  try {
    await environment.setup();
  } catch (error) {
    await environment.cleanup().catch(() => undefined);
    log(`novacron-spec: ${(error as Error).message}`);
    process.exit(2);
  }
  Object.assign(env, environment.toEnv());
  settleConfig(environment.resolved);
  const discovery = await discover(env.NOVACRON_API_URL!);
  env[DISCOVERY_VARIABLE] = JSON.stringify(discovery);
  const file = reportFiles(config.reportsDir).discovery;
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, `${JSON.stringify(discovery, null, 2)}\n`);
  log(discoveryLine(discovery));
  // On a target of its own the suite checks that the run left nothing behind (the embedded reference is dropped anyway).
  const apiUrl = env.NOVACRON_API_URL!;
  const sign = () => adminToken(apiUrl, config.adminUsername, config.adminPassword);
  const before = config.apiUrl ? await sign().then((token) => (token ? takeInventory(apiUrl, token) : undefined)) : undefined;
  return async () => {
    if (before) await checkLeftovers(apiUrl, before, sign, reportFiles(config.reportsDir).leftovers, log);
    await environment.cleanup();
  };
}

async function checkLeftovers(apiUrl: string, before: Inventory, sign: () => Promise<string | undefined>, file: string, log: (line: string) => void): Promise<void> {
  const token = await sign();
  if (!token) return log('[target] could not sign in again to see what the run left behind');
  const left = leftOver(before, await takeInventory(apiUrl, token));
  writeFileSync(file, `${JSON.stringify(left, null, 2)}\n`);
  log(leftoversLine(left, Object.keys(before)));
}

/** One line at start: what the target lacks, so that a run's skipped and not implemented scenarios are expected. */
export function discoveryLine(discovery: Discovery): string {
  const absent = (findings: Discovery['areas']) => Object.entries(findings).filter(([, finding]) => finding.present === false).map(([name]) => name);
  const unknown = Object.values({ ...discovery.areas, ...discovery.testSupport }).filter((finding) => finding.present === 'unknown').length;
  const missingSupport = absent(discovery.testSupport);
  const missingAreas = absent(discovery.areas);
  return (
    `[target] ${discovery.target.url}${discovery.target.service ? ` ${discovery.target.service}` : ''}${discovery.target.version ? ` ${discovery.target.version}` : ''} (discovered in ${discovery.durationMs} ms): ` +
    `${missingSupport.length ? `no test support ${missingSupport.join(', ')} (its scenarios are not applicable)` : 'every test support offered'}; ` +
    `${missingAreas.length ? `no ${missingAreas.join(', ')} API (its scenarios are not implemented)` : 'every area of the API answers'}` +
    `${unknown ? `; ${unknown} could not be told without a session (the first answers will)` : ''}`
  );
}

/**
 * Claims the reports folder for a cucumber-js started directly (the npm scripts hold the claim
 * themselves and say so in REPORTS_CLAIMED). Runs before the formatters open their files, so a
 * refused run overwrites nothing; the claim is released when the process exits, after they flush.
 */
export function claimReportsForRun(config: Config, env: NodeJS.ProcessEnv, log: (line: string) => void): void {
  if (env[REPORTS_CLAIMED] || isDryRun()) return;
  const files = reportFiles(config.reportsDir);
  try {
    process.once('exit', claimReports(files, ['cucumber-js', ...process.argv.slice(2)].join(' ')));
  } catch (error) {
    if (!(error instanceof ReportsBusyError)) throw error;
    log(`novacron-spec: ${error.message}`);
    process.exit(2);
  }
}
