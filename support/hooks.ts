import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { After, AfterAll, AfterStep, Before, BeforeAll, setDefaultTimeout, setParallelCanAssign, Status } from '@cucumber/cucumber';
import type { RetriedServerError } from './api-client';
import { getConfig } from './config';
import { METRICS_MEDIA_TYPE } from './metrics';
import { canRunAlongside } from './parallel';
import { conformanceCapabilityOf } from './report/conformance';
import type { WorkerFigures } from './report/endpoints';
import { startSuite, stopSuite, suite } from './suite';
import { artifactPath, dashboardSession } from './tasks/dashboard-ui';
import type { NovaWorld } from './world';

setDefaultTimeout(getConfig().timeoutMs);
setParallelCanAssign(canRunAlongside);

BeforeAll({ timeout: 120_000 }, async function () {
  await startSuite();
});

// First of the Before hooks: a scenario the target cannot run stops here, before any request.
Before(function (this: NovaWorld, { pickle }) {
  const tags = pickle.tags.map((tag) => tag.name);
  const admission = suite().gate.beginScenario(tags, conformanceCapabilityOf(tags).areas);
  if (admission.run) return undefined;
  if (admission.outcome === 'not applicable') return this.notApplicable(admission.reason);
  throw new Error(admission.reason);
});

Before(function () {
  // Server errors retried before this scenario (another scenario's cleanup, sign-in) are not its own.
  suite().takeRetriedServerErrors();
});

After(async function (this: NovaWorld, { result }) {
  await Promise.all(this.streams.map((stream) => stream.close()));
  const failures = await this.ledger.releaseAll();
  if (!this.metrics.isEmpty) this.attach(this.metrics.toAttachment(), METRICS_MEDIA_TYPE);
  const problems: string[] = [];
  if (failures.length > 0) problems.push(`could not clean up after the scenario:\n  - ${failures.join('\n  - ')}`);
  const retried = suite().takeRetriedServerErrors();
  if (retried.length > 0) {
    const expected = this.serverErrorsExpected;
    if (expected) this.log(`server errors retried while ${expected} (expected by the scenario):\n  - ${retried.map(describeRetried).join('\n  - ')}`);
    else problems.push(hiddenServerErrors(retried));
  }
  if (problems.length > 0) {
    const message = problems.join('\n');
    if (result?.status === Status.PASSED) throw new Error(message);
    this.log(message);
  }
});

// The dashboard's browser (defined after the hook above, so it runs before it: the tabs close before the machines are deleted).
AfterStep(async function (this: NovaWorld, { result }) {
  const session = dashboardSession(this);
  if (!session || result.status !== Status.FAILED) return;
  for (const [index, tab] of session.tabs.entries()) {
    const shot = await tab.screenshot({ fullPage: true }).catch(() => undefined);
    if (shot) this.attach(shot, { mediaType: 'image/png', fileName: `dashboard tab ${index + 1}.png` });
  }
});

After(async function (this: NovaWorld, { result }) {
  const session = dashboardSession(this);
  if (!session) return;
  const trace = this.suite.config.debug ? `${artifactPath(this, 'trace')}.zip` : undefined;
  await session.close(trace);
  if (trace) this.log(`browser trace: ${trace} (npx playwright-core show-trace ${trace})`);
  if (session.problems.length === 0) return;
  const message = `the dashboard reported errors:\n  - ${session.problems.map((p) => `tab ${p.tab}, ${p.kind}: ${p.text}`).join('\n  - ')}`;
  if (result?.status === Status.PASSED) throw new Error(message);
  this.log(message);
});

function describeRetried(retried: RetriedServerError): string {
  return `${retried.method} ${retried.path} answered ${retried.status} (attempt ${retried.attempt}${retried.body ? `: ${retried.body}` : ''})`;
}

/** The scenario passed only because retries hid server errors: say which requests and what they answered. */
function hiddenServerErrors(retried: RetriedServerError[]): string {
  return (
    `the target answered ${retried.length} server error(s) that a retry hid; a scenario that causes an outage on purpose says so with world.expectServerErrors(reason):\n` +
    `  - ${retried.map(describeRetried).join('\n  - ')}`
  );
}

AfterAll({ timeout: 60_000 }, async function () {
  try {
    // Set by the run wrapper (scripts/cucumber.ts), which merges the workers' figures into the report.
    const figuresDir = process.env.NOVACRON_ENDPOINT_FIGURES;
    if (figuresDir) {
      const { endpointMetrics, contractWarnings } = suite();
      const figures: WorkerFigures = { endpoints: endpointMetrics.figures(), contract_warnings: contractWarnings.map((w) => w.message) };
      mkdirSync(figuresDir, { recursive: true });
      writeFileSync(join(figuresDir, `endpoints-${process.env.CUCUMBER_WORKER_ID ?? 'main'}.json`), JSON.stringify(figures));
    }
  } finally {
    await stopSuite();
  }
});
