import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { After, AfterAll, BeforeAll, setDefaultTimeout, setParallelCanAssign, Status } from '@cucumber/cucumber';
import { loadConfig } from './config';
import { METRICS_MEDIA_TYPE } from './metrics';
import { canRunAlongside } from './parallel';
import type { WorkerFigures } from './report/endpoints';
import { startSuite, stopSuite, suite } from './suite';
import type { NovaWorld } from './world';

setDefaultTimeout(loadConfig().timeoutMs);
setParallelCanAssign(canRunAlongside);

BeforeAll({ timeout: 120_000 }, async function () {
  await startSuite();
});

After(async function (this: NovaWorld, { result }) {
  await Promise.all(this.streams.map((stream) => stream.close()));
  const failures = await this.ledger.releaseAll();
  if (!this.metrics.isEmpty) this.attach(this.metrics.toAttachment(), METRICS_MEDIA_TYPE);
  if (failures.length > 0) {
    const message = `could not clean up after the scenario:\n  - ${failures.join('\n  - ')}`;
    if (result?.status === Status.PASSED) throw new Error(message);
    this.log(message);
  }
});

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
