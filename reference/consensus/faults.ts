import { HEALTH_FAILED_COMPONENT } from '../core/faults';
import { defineFaults, type FaultFlags } from '../define-faults';

// Scenario titles of features/system/backend/consensus.feature.
export const CONSENSUS_SCENARIOS = {
  oneLeader: 'Exactly one node leads a healthy cluster',
  failover: 'A new leader takes over when the leader fails',
  readEverywhere: 'Data written through any node reads the same from every node',
  minority: 'A minority partition cannot commit',
  heal: 'No acknowledged write is lost when a partition heals',
  noQuorum: 'Writes are refused without quorum and nothing is half-applied',
  catchUp: 'A restarted node catches up',
  chaos: 'Leadership stays unique on a slow, lossy network',
} as const;

const S = CONSENSUS_SCENARIOS;
/** The history-checked scenario: its schedule is random, so it is outside the virtual-clock titles above. */
const HISTORY = 'Under any schedule of partitions, crashes and lossy links the acknowledged history holds';

export const CONSENSUS_FAULTS = defineFaults({
  doubleVote: {
    name: 'consensus-double-vote',
    description: 'A node grants its vote to every candidate that asks in a term, not only to the first, so two candidates can win the same term.',
    scenarios: [S.chaos],
  },
  silentLeader: {
    name: 'consensus-silent-leader',
    description: 'An idle leader sends no heartbeats, so its followers time out and elect a new leader again and again.',
    scenarios: [S.oneLeader],
  },
  noTermBump: {
    name: 'consensus-no-term-bump',
    description: 'A candidate stands for election without raising its term, so nodes that voted in that term refuse it and no new leader emerges.',
    scenarios: [S.failover, S.minority, S.chaos],
  },
  followersIgnoreCommit: {
    name: 'consensus-followers-ignore-commit',
    description: "Followers ignore the leader's commit index, so committed writes are never applied (nor readable) on followers.",
    scenarios: [S.readEverywhere, S.minority, S.heal, S.catchUp],
  },
  minorityCommit: {
    name: 'consensus-minority-commit',
    description: 'The leader counts half of the cluster, rounded down, as a majority when it commits and when it checks its quorum, so an isolated leader commits alone.',
    scenarios: [S.minority, S.noQuorum],
  },
  applyUncommitted: {
    name: 'consensus-apply-uncommitted',
    description: 'Nodes apply a write to their data as soon as it is in their log, before it is committed, so uncommitted writes are readable.',
    scenarios: [S.minority],
  },
  voteIgnoresLog: {
    name: 'consensus-vote-ignores-log',
    description: "Nodes vote for a candidate whose log is behind their own, so a node that missed committed writes can lead and overwrite them.",
    scenarios: [S.heal],
  },
  noQuorumCheck: {
    name: 'consensus-no-quorum-check',
    description: 'A leader that cannot hear from a majority keeps leading and appends the writes it cannot commit; they surface once the quorum returns.',
    scenarios: [S.noQuorum],
  },
  noBacktrack: {
    name: 'consensus-no-backtrack',
    description: 'The leader never moves back to resend entries a follower rejected, so a node that missed entries never catches up.',
    scenarios: [S.catchUp, S.heal, S.minority],
  },
  healthIgnoresQuorum: {
    name: 'consensus-health-ignores-quorum',
    description: "The consensus health component reports healthy even when the control plane has no leader with a majority.",
    scenarios: [HEALTH_FAILED_COMPONENT],
  },
  readClaimsNextIndex: {
    name: 'consensus-read-claims-next-index',
    description: 'A read answers the commit index one past the entries its value reflects, so a client that relies on it believes it has seen a change it has not.',
    scenarios: [HISTORY],
  },
});

export type ConsensusFaultFlags = FaultFlags<typeof CONSENSUS_FAULTS>;
