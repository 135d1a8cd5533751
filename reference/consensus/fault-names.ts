import type { FaultSet } from '../faults';

/** The consensus defects the simulation can be switched into (documented in ./faults.ts). */
export const CONSENSUS_FAULTS = {
  doubleVote: 'consensus-double-vote',
  silentLeader: 'consensus-silent-leader',
  noTermBump: 'consensus-no-term-bump',
  followersIgnoreCommit: 'consensus-followers-ignore-commit',
  minorityCommit: 'consensus-minority-commit',
  applyUncommitted: 'consensus-apply-uncommitted',
  voteIgnoresLog: 'consensus-vote-ignores-log',
  noQuorumCheck: 'consensus-no-quorum-check',
  noBacktrack: 'consensus-no-backtrack',
  healthIgnoresQuorum: 'consensus-health-ignores-quorum',
  readClaimsNextIndex: 'consensus-read-claims-next-index',
} as const;

export type ConsensusFaultName = (typeof CONSENSUS_FAULTS)[keyof typeof CONSENSUS_FAULTS];

/** Anything that answers whether a named fault is on (the reference's FaultSet, a Set in tests). */
export type FaultSwitch = Pick<FaultSet, 'has'>;

export type ConsensusFaultFlags = { readonly [K in keyof typeof CONSENSUS_FAULTS]: boolean };

export function consensusFaultFlags(faults: FaultSwitch | undefined): ConsensusFaultFlags {
  const flags = {} as Record<keyof typeof CONSENSUS_FAULTS, boolean>;
  for (const [key, name] of Object.entries(CONSENSUS_FAULTS) as Array<[keyof typeof CONSENSUS_FAULTS, string]>) {
    flags[key] = faults?.has(name) ?? false;
  }
  return flags;
}
