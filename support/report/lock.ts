import { linkSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { relative } from 'node:path';
import type { ReportFiles } from './files';

export class ReportsBusyError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ReportsBusyError';
  }
}

interface Holder {
  pid: number;
  started_at: string;
  command: string;
}

/**
 * Claims the reports folder for this run, so two runs in one checkout never overwrite each other's
 * reports: a second run stops at once with a line naming the first. A claim left by a run that
 * no longer exists (killed, machine restarted) is taken over. Returns the release.
 */
export function claimReports(files: ReportFiles, command: string, isAlive: (pid: number) => boolean = processIsAlive): () => void {
  mkdirSync(files.dir, { recursive: true });
  const mine: Holder = { pid: process.pid, started_at: new Date().toISOString(), command };
  // Written whole under a name of its own, then linked into place: nobody reads a half-written claim.
  const draft = `${files.lock}.${process.pid}`;
  writeFileSync(draft, JSON.stringify(mine));
  try {
    for (;;) {
      try {
        linkSync(draft, files.lock);
        return () => {
          if (readHolder(files.lock)?.pid === mine.pid) rmSync(files.lock, { force: true });
        };
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      }
      takeOverIfAbandoned(files, mine, isAlive);
    }
  } finally {
    rmSync(draft, { force: true });
  }
}

function takeOverIfAbandoned(files: ReportFiles, mine: Holder, isAlive: (pid: number) => boolean): void {
  const holder = readHolder(files.lock);
  if (holder && holder.pid !== mine.pid && isAlive(holder.pid)) {
    const folder = relative(process.cwd(), files.dir) || files.dir;
    throw new ReportsBusyError(
      `${folder}/ is being written by another run (pid ${holder.pid}, started ${holder.started_at}: ${holder.command}): ` +
        'wait for it to finish, or give this run a folder of its own with NOVACRON_REPORTS_DIR=<folder>',
    );
  }
  rmSync(files.lock, { force: true });
}

function readHolder(path: string): Holder | undefined {
  try {
    const holder = JSON.parse(readFileSync(path, 'utf8')) as Partial<Holder>;
    return typeof holder.pid === 'number' ? (holder as Holder) : undefined;
  } catch {
    return undefined;
  }
}

function processIsAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
