// A worker of `npm run verify:faults`: loads the step definitions once, then runs one fault after
// another as the parent sends them (each run provisions a reference of its own with that fault on,
// through the usual cucumber plugin), and answers each with the status of every scenario it ran.
// Loading the support code once instead of once per fault halves the CPU the catalog needs.
import { createWriteStream, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type * as messages from '@cucumber/messages';
import { loadConfiguration, loadSupport, runCucumber } from '@cucumber/cucumber/api';
import { scenarioStatuses, type ScenarioStatus } from '../support/report/summary';

export interface FaultJob {
  fault: string;
  /** Regular expressions of the scenario names to run. */
  names: string[];
  /** Where this fault's message stream, cucumber output and reference.log go. */
  runDir: string;
}

export type RunnerMessage =
  | { kind: 'ready' }
  | { kind: 'done'; fault: string; statuses: [string, ScenarioStatus][] }
  | { kind: 'error'; fault: string; message: string };

const ROOT = join(__dirname, '..');

async function main(): Promise<void> {
  const pristine = { ...process.env };
  const { runConfiguration } = await loadConfiguration({ profiles: ['verify'] }, { cwd: ROOT, env: pristine });
  const support = await loadSupport(runConfiguration, { cwd: ROOT, env: pristine });
  const send = (message: RunnerMessage) => process.send?.(message);

  let queue = Promise.resolve();
  process.on('message', (job: FaultJob) => {
    queue = queue.then(async () => {
      try {
        send({ kind: 'done', fault: job.fault, statuses: [...(await run(job))] });
      } catch (error) {
        send({ kind: 'error', fault: job.fault, message: (error as Error).stack ?? String(error) });
      }
    });
  });
  process.on('disconnect', () => void queue.then(() => process.exit(0)));
  send({ kind: 'ready' });

  async function run(job: FaultJob): Promise<Map<string, ScenarioStatus>> {
    // The plugin writes the provisioned target into process.env; every run starts from the original.
    for (const key of Object.keys(process.env)) if (!(key in pristine)) delete process.env[key];
    Object.assign(process.env, pristine, { NOVACRON_FAULTS: job.fault, NOVACRON_REPORTS_DIR: job.runDir });
    mkdirSync(job.runDir, { recursive: true });
    const output = createWriteStream(join(job.runDir, 'cucumber.log'));
    const envelopes: messages.Envelope[] = [];
    try {
      await runCucumber(
        {
          ...runConfiguration,
          sources: { ...runConfiguration.sources, names: job.names },
          support,
          runtime: { ...runConfiguration.runtime, parallel: 0 },
          formats: { ...runConfiguration.formats, stdout: 'progress', files: {} },
        },
        { cwd: ROOT, env: process.env, stdout: output, stderr: output },
        (envelope) => envelopes.push(envelope),
      );
    } finally {
      await new Promise((resolve) => output.end(resolve));
      writeFileSync(join(job.runDir, 'messages.ndjson'), envelopes.map((e) => JSON.stringify(e)).join('\n') + '\n');
    }
    return scenarioStatuses(envelopes);
  }
}

main().catch((error: Error) => {
  process.stderr.write(`fault runner: ${error.stack ?? error.message}\n`);
  process.exit(2);
});
