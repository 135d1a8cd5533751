import type { ReportFiles } from './files';

/**
 * The hook for the conformance table of a run (per capability: passed, failed, not applicable, not
 * implemented; the verdict). The suite has no conformance report yet: until the one that builds it
 * fills this in from the run's reports folder, there is no table and the job summary says so.
 */
export function conformanceTableMarkdown(_files: ReportFiles): string | undefined {
  return undefined;
}
