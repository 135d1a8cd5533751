import { join } from 'node:path';

/** Where one run's reports go, under its reports folder (NOVACRON_REPORTS_DIR, `reports` by default). */
export interface ReportFiles {
  readonly dir: string;
  readonly messages: string;
  readonly cucumberJson: string;
  readonly usage: string;
  readonly json: string;
  readonly junit: string;
  readonly html: string;
  /** Per-worker endpoint figures, merged into the JSON report. */
  readonly workers: string;
  readonly faults: string;
  /** Held by the run that writes the folder (see ./lock.ts). */
  readonly lock: string;
}

export function reportFiles(dir: string): ReportFiles {
  return {
    dir,
    messages: join(dir, 'messages.ndjson'),
    cucumberJson: join(dir, 'cucumber.json'),
    usage: join(dir, 'usage.json'),
    json: join(dir, 'json', 'results.json'),
    junit: join(dir, 'junit', 'results.xml'),
    html: join(dir, 'html', 'index.html'),
    workers: join(dir, 'workers'),
    faults: join(dir, 'faults'),
    lock: join(dir, '.run.lock'),
  };
}
