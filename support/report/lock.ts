import { linkSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { relative } from 'node:path';
import type { ReportFiles } from './files';

export class ReportsBusyError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ReportsBusyError';
  }
}

/** Set for the cucumber runs of a process that already holds the claim (the npm scripts). */
export const REPORTS_CLAIMED = 'NOVACRON_REPORTS_CLAIMED';

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
      if (link(draft, files.lock)) {
        return () => {
          const holder = readClaim(files.lock);
          if (holder !== 'missing' && holder !== 'unreadable' && holder.pid === mine.pid) rmSync(files.lock, { force: true });
        };
      }
      takeOverIfAbandoned(files, draft, isAlive);
    }
  } finally {
    rmSync(draft, { force: true });
  }
}

/**
 * Removes the claim when its run no longer exists. One run at a time decides, under a guard claim:
 * two runs that both saw the same abandoned claim would otherwise both take it over, the second
 * removing the first's fresh claim.
 */
function takeOverIfAbandoned(files: ReportFiles, draft: string, isAlive: (pid: number) => boolean): void {
  const guard = `${files.lock}.takeover`;
  if (!link(draft, guard)) {
    // Held for microseconds; a guard whose run died while holding it is cleared.
    const guardHolder = readClaim(guard);
    if (guardHolder === 'unreadable' || (guardHolder !== 'missing' && !isAlive(guardHolder.pid))) rmSync(guard, { force: true });
    return;
  }
  try {
    const holder = readClaim(files.lock);
    if (holder === 'missing') return;
    if (holder !== 'unreadable' && holder.pid !== process.pid && isAlive(holder.pid)) {
      const folder = relative(process.cwd(), files.dir) || files.dir;
      throw new ReportsBusyError(
        `${folder}/ is being written by another run (pid ${holder.pid}, started ${holder.started_at}: ${holder.command}): ` +
          'wait for it to finish, or give this run a folder of its own with NOVACRON_REPORTS_DIR=<folder>',
      );
    }
    rmSync(files.lock, { force: true });
  } finally {
    rmSync(guard, { force: true });
  }
}

/** Links `draft` into place as `path`; false when `path` is already taken. */
function link(draft: string, path: string): boolean {
  try {
    linkSync(draft, path);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  }
}

function readClaim(path: string): Holder | 'missing' | 'unreadable' {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return 'missing';
    throw error;
  }
  try {
    const holder = JSON.parse(text) as Partial<Holder>;
    return typeof holder.pid === 'number' ? (holder as Holder) : 'unreadable';
  } catch {
    return 'unreadable';
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
