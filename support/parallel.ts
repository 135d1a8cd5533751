import type { Pickle } from '@cucumber/messages';

/** Scenarios that change the whole target (a failed database) or measure it (load) run alone. */
const RUN_ALONE = ['@exclusive', '@performance'];

function runsAlone(pickle: { tags: readonly { name: string }[] }): boolean {
  return pickle.tags.some((tag) => RUN_ALONE.includes(tag.name));
}

export function canRunAlongside(candidate: Pickle, inProgress: Pickle[]): boolean {
  if (inProgress.length === 0) return true;
  return !runsAlone(candidate) && !inProgress.some(runsAlone);
}
