import { createWriteStream, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { finished } from 'node:stream/promises';
import type * as messages from '@cucumber/messages';
import { CucumberHtmlStream } from '@cucumber/html-formatter';
import type { ReportFiles } from './files';
import { readMessages } from './generate';
import { MergeError, mergeMessageStreams } from './merge';

const TITLE = 'NovaCron Spec: living documentation';

export interface LivingDocs {
  /** Where the statuses come from, for the line printed after writing it. */
  readonly statusesFrom: string;
}

/**
 * Writes the living documentation: every feature and scenario of the suite (from a dry run of all
 * of them), each scenario with its status in the last run when it ran there, as one HTML page with
 * search and status filters (cucumber's HTML formatter) that opens from disk without a server.
 */
export async function writeLivingDocs(files: ReportFiles, dryRunMessages: string): Promise<LivingDocs> {
  const everyScenario = readMessages(dryRunMessages);
  const { envelopes, statusesFrom } = withLastRun(files, everyScenario);
  mkdirSync(dirname(files.docs), { recursive: true });
  const html = new CucumberHtmlStream();
  const written = finished(html.pipe(createWriteStream(files.docs)));
  for (const envelope of envelopes) html.write(envelope);
  html.end();
  await written;
  writeFileSync(files.docs, readFileSync(files.docs, 'utf8').replace('<title>Cucumber</title>', `<title>${TITLE}</title>`));
  return { statusesFrom };
}

function withLastRun(files: ReportFiles, everyScenario: messages.Envelope[]): { envelopes: messages.Envelope[]; statusesFrom: string } {
  if (!existsSync(files.messages)) return { envelopes: everyScenario, statusesFrom: 'none: no run yet, every scenario is shown as not run (skipped)' };
  try {
    const envelopes = mergeMessageStreams([
      { label: files.messages, envelopes: readMessages(files.messages) },
      { label: 'the dry run', envelopes: everyScenario, fillsIn: true },
    ]);
    return { envelopes, statusesFrom: `the last run (${files.messages}); scenarios it did not run are shown as skipped` };
  } catch (error) {
    if (!(error instanceof MergeError)) throw error;
    return { envelopes: everyScenario, statusesFrom: `none: the features changed since the last run (${error.message})` };
  }
}
