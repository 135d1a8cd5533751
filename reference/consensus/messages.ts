/** What the control-plane nodes keep in their replicated log and send each other. */

export type Role = 'follower' | 'candidate' | 'leader';

export type Command = { kind: 'noop' } | { kind: 'put'; id: string; key: string; value: string };

export interface LogEntry {
  readonly index: number;
  readonly term: number;
  readonly command: Command;
}

export interface RequestVote {
  type: 'request-vote';
  term: number;
  candidate: string;
  lastLogIndex: number;
  lastLogTerm: number;
}

export interface VoteReply {
  type: 'vote-reply';
  term: number;
  granted: boolean;
}

export interface AppendEntries {
  type: 'append-entries';
  term: number;
  leader: string;
  prevLogIndex: number;
  prevLogTerm: number;
  entries: LogEntry[];
  leaderCommit: number;
}

export interface AppendReply {
  type: 'append-reply';
  term: number;
  success: boolean;
  /** On success: the last index the follower now holds from this leader. */
  matchIndex: number;
  /** On failure: where the leader should resume sending. */
  resumeIndex: number;
}

/** A client write a follower passes on to the leader it knows. */
export interface ForwardWrite {
  type: 'forward-write';
  requestId: string;
  command: Command & { kind: 'put' };
}

export interface ForwardReply {
  type: 'forward-reply';
  requestId: string;
  outcome: WriteOutcome;
}

export type Message = RequestVote | VoteReply | AppendEntries | AppendReply | ForwardWrite | ForwardReply;

export interface Envelope {
  from: string;
  to: string;
  message: Message;
}

/**
 * The answer to a client write.
 * - committed: a majority holds it; it is never lost.
 * - refused: nothing was appended anywhere; it will never be applied.
 * - unknown: it reached a log but was not seen committed in time; it may still commit later.
 */
export type WriteOutcome =
  | { status: 'committed'; index: number; term: number; leader: string }
  | { status: 'refused'; reason: RefusalReason; leaderHint?: string }
  | { status: 'unknown'; reason: string };

export type RefusalReason = 'no-quorum' | 'no-leader' | 'node-stopped';
