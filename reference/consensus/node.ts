import type { ConsensusFaultFlags } from './faults';
import type {
  AppendEntries,
  AppendReply,
  Command,
  Envelope,
  ForwardReply,
  ForwardWrite,
  LogEntry,
  Message,
  RequestVote,
  Role,
  VoteReply,
  WriteOutcome,
} from './messages';
import type { SimulatedNetwork } from './network';
import type { ObservationLog, ObservedRole } from './observations';
import type { SeededRandom } from './random';
import type { Scheduler, TimerHandle } from './scheduler';

export interface ConsensusTimings {
  electionTimeoutMinMs: number;
  electionTimeoutMaxMs: number;
  heartbeatMs: number;
  /** How long a client write may wait for a leader and a commit before it fails. */
  writeTimeoutMs: number;
}

export interface NodeContext {
  id: string;
  peers: readonly string[];
  scheduler: Scheduler;
  random: SeededRandom;
  network: SimulatedNetwork;
  timings: ConsensusTimings;
  faults: ConsensusFaultFlags;
  observations: ObservationLog;
}

export interface NodeStatus {
  id: string;
  role: ObservedRole;
  term: number;
  votedFor: string | null;
  leaderId: string | null;
  commitIndex: number;
  lastLogIndex: number;
  lastLogTerm: number;
  /** A leader's own view: it heard from a majority within an election timeout. */
  hasQuorum: boolean;
}

export interface ReadResult {
  node: string;
  found: boolean;
  value?: string;
  commitIndex: number;
  term: number;
}

type PutCommand = Command & { kind: 'put' };

/** A client write this node is responsible for answering. */
interface ClientRequest {
  command: PutCommand;
  stage: 'waiting' | 'forwarded' | 'appended';
  /** Where the entry went when stage is appended. */
  index?: number;
  term?: number;
  respond: (outcome: WriteOutcome) => void;
  timer: TimerHandle;
}

const MAX_BATCH = 64;

/**
 * One control-plane node: Raft leader election and log replication (Ongaro and Ousterhout) with
 * CheckQuorum (a leader that cannot hear from a majority steps down and refuses writes), a no-op
 * entry at the start of each term, optimistic replication with back-tracking, and candidates
 * that repeat their vote requests every heartbeat. Term, vote, log and commit index survive a
 * stop and restart; everything else is rebuilt.
 */
export class RaftNode {
  // Persistent state.
  private term = 0;
  private votedFor: string | null = null;
  private log: LogEntry[] = [];
  private commitIndex = 0;

  // Volatile state.
  private running = false;
  private role: Role = 'follower';
  private leaderId: string | null = null;
  private votes = new Set<string>();
  private nextIndex = new Map<string, number>();
  private matchIndex = new Map<string, number>();
  private lastContact = new Map<string, number>();
  private data = new Map<string, string>();
  private lastApplied = 0;
  private electionTimer: TimerHandle | undefined;
  private heartbeatTimer: TimerHandle | undefined;
  private readonly requests = new Set<ClientRequest>();
  private readonly forwarded = new Map<string, ClientRequest>();
  private forwardSequence = 0;

  constructor(private readonly ctx: NodeContext) {
    ctx.network.attach(ctx.id, (envelope) => this.receive(envelope));
  }

  get id(): string {
    return this.ctx.id;
  }

  get isRunning(): boolean {
    return this.running;
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.ctx.network.setUp(this.id, true);
    this.role = 'follower';
    this.leaderId = null;
    this.rebuildData();
    this.observe();
    this.resetElectionTimer();
  }

  /** Crash-stop: volatile state and unanswered client writes are lost; persistent state stays. */
  stop(): void {
    if (!this.running) return;
    this.running = false;
    this.ctx.network.setUp(this.id, false);
    this.electionTimer?.cancel();
    this.heartbeatTimer?.cancel();
    this.electionTimer = this.heartbeatTimer = undefined;
    this.role = 'follower';
    this.leaderId = null;
    this.votes.clear();
    for (const request of [...this.requests]) {
      this.finish(request, request.stage === 'waiting' ? { status: 'refused', reason: 'node-stopped' } : { status: 'unknown', reason: `${this.id} stopped before the write was seen committed` });
    }
    this.ctx.observations.record(this.ctx.scheduler.now(), this.id, this.term, 'stopped');
  }

  status(): NodeStatus {
    return {
      id: this.id,
      role: this.running ? this.role : 'stopped',
      term: this.term,
      votedFor: this.votedFor,
      leaderId: this.running ? this.leaderId : null,
      commitIndex: this.commitIndex,
      lastLogIndex: this.lastIndex(),
      lastLogTerm: this.termAt(this.lastIndex()),
      hasQuorum: this.running && this.role === 'leader' && this.hasQuorumContact(),
    };
  }

  /** Committed entries from `fromIndex` (1-based) up to the commit index. */
  committedEntries(fromIndex = 1): LogEntry[] {
    return this.log.slice(Math.max(0, fromIndex - 1), this.commitIndex);
  }

  /** A read of this node's applied data: committed writes only. */
  read(key: string): ReadResult {
    const value = this.data.get(key);
    const commitIndex = this.ctx.faults.readClaimsNextIndex ? this.commitIndex + 1 : this.commitIndex;
    return { node: this.id, found: value !== undefined, ...(value === undefined ? {} : { value }), commitIndex, term: this.term };
  }

  /** A client write through this node: answered once committed, refused, or after the write timeout. */
  write(command: PutCommand): Promise<WriteOutcome> {
    if (!this.running) return Promise.resolve({ status: 'refused', reason: 'node-stopped' });
    return new Promise((resolve) => this.track(command, resolve));
  }

  // ---- client writes ----

  private track(command: PutCommand, respond: (outcome: WriteOutcome) => void): void {
    const request: ClientRequest = {
      command,
      stage: 'waiting',
      respond,
      timer: this.ctx.scheduler.after(this.ctx.timings.writeTimeoutMs, () => this.expire(request)),
    };
    this.requests.add(request);
    this.route(request);
  }

  private route(request: ClientRequest): void {
    if (this.role === 'leader') {
      this.accept(request);
    } else if (this.leaderId !== null) {
      const requestId = `${this.id}-${++this.forwardSequence}`;
      request.stage = 'forwarded';
      this.forwarded.set(requestId, request);
      this.send(this.leaderId, { type: 'forward-write', requestId, command: request.command });
    } else {
      request.stage = 'waiting';
    }
  }

  private accept(request: ClientRequest): void {
    if (!this.hasQuorumContact() && !this.ctx.faults.noQuorumCheck) {
      this.finish(request, { status: 'refused', reason: 'no-quorum' });
      return;
    }
    const entry = this.append(request.command);
    request.stage = 'appended';
    request.index = entry.index;
    request.term = entry.term;
    this.replicateToAll();
    this.advanceCommit();
  }

  private expire(request: ClientRequest): void {
    if (!this.requests.has(request)) return;
    if (request.stage === 'waiting') {
      this.finish(request, { status: 'refused', reason: 'no-leader' });
    } else {
      this.finish(request, { status: 'unknown', reason: `the write was not seen committed within ${this.ctx.timings.writeTimeoutMs} ms` });
    }
  }

  private finish(request: ClientRequest, outcome: WriteOutcome): void {
    if (!this.requests.delete(request)) return;
    request.timer.cancel();
    for (const [id, pending] of this.forwarded) if (pending === request) this.forwarded.delete(id);
    request.respond(outcome);
  }

  /** Answers appended writes whose fate this node now knows, and routes writes that waited for a leader. */
  private settleRequests(): void {
    for (const request of [...this.requests]) {
      if (request.stage === 'appended' && request.index !== undefined) {
        const entry = this.log[request.index - 1];
        if (!entry || entry.term !== request.term) {
          this.finish(request, { status: 'unknown', reason: `entry ${request.index} was replaced by a newer leader` });
        } else if (request.index <= this.commitIndex) {
          this.finish(request, { status: 'committed', index: entry.index, term: entry.term, leader: this.leaderId ?? this.id });
        }
      } else if (request.stage === 'waiting' && (this.role === 'leader' || this.leaderId !== null)) {
        this.route(request);
      }
    }
  }

  private onForwardWrite(from: string, message: ForwardWrite): void {
    const reply = (outcome: WriteOutcome): void => this.send(from, { type: 'forward-reply', requestId: message.requestId, outcome });
    if (this.role !== 'leader') {
      reply({ status: 'refused', reason: 'no-leader', ...(this.leaderId ? { leaderHint: this.leaderId } : {}) });
      return;
    }
    this.track(message.command, reply);
  }

  private onForwardReply(from: string, message: ForwardReply): void {
    const request = this.forwarded.get(message.requestId);
    if (!request) return;
    this.forwarded.delete(message.requestId);
    if (message.outcome.status === 'refused' && message.outcome.reason === 'no-leader') {
      // Nothing was appended: wait for the next leader this node hears from, then try again.
      request.stage = 'waiting';
      if (this.leaderId === from) this.leaderId = null;
      this.settleRequests();
      return;
    }
    this.finish(request, message.outcome);
  }

  // ---- messages ----

  private receive({ from, message }: Envelope): void {
    if (!this.running) return;
    this.handle(from, message);
  }

  private handle(from: string, message: Message): void {
    switch (message.type) {
      case 'request-vote':
        return this.onRequestVote(from, message);
      case 'vote-reply':
        return this.onVoteReply(from, message);
      case 'append-entries':
        return this.onAppendEntries(from, message);
      case 'append-reply':
        return this.onAppendReply(from, message);
      case 'forward-write':
        return this.onForwardWrite(from, message);
      case 'forward-reply':
        return this.onForwardReply(from, message);
    }
  }

  private send(to: string, message: Message): void {
    this.ctx.network.send({ from: this.id, to, message });
  }

  // ---- elections ----

  private resetElectionTimer(): void {
    this.electionTimer?.cancel();
    const { electionTimeoutMinMs, electionTimeoutMaxMs } = this.ctx.timings;
    this.electionTimer = this.ctx.scheduler.after(this.ctx.random.between(electionTimeoutMinMs, electionTimeoutMaxMs), () => this.startElection());
  }

  private startElection(): void {
    if (!this.running || this.role === 'leader') return;
    if (!this.ctx.faults.noTermBump) this.term += 1;
    this.votedFor = this.id;
    this.role = 'candidate';
    this.leaderId = null;
    this.votes = new Set([this.id]);
    this.observe();
    this.resetElectionTimer();
    this.requestVotes();
    this.scheduleHeartbeat();
  }

  private requestVotes(): void {
    const lastLogIndex = this.lastIndex();
    const request: RequestVote = { type: 'request-vote', term: this.term, candidate: this.id, lastLogIndex, lastLogTerm: this.termAt(lastLogIndex) };
    for (const peer of this.ctx.peers) if (!this.votes.has(peer)) this.send(peer, request);
  }

  private onRequestVote(from: string, message: RequestVote): void {
    if (message.term > this.term) this.becomeFollower(message.term);
    const voteFree = this.votedFor === null || this.votedFor === message.candidate || this.ctx.faults.doubleVote;
    const logOk = this.candidateLogUpToDate(message) || this.ctx.faults.voteIgnoresLog;
    const granted = message.term === this.term && voteFree && logOk;
    if (granted) {
      this.votedFor = message.candidate;
      this.resetElectionTimer();
    }
    const reply: VoteReply = { type: 'vote-reply', term: this.term, granted };
    this.send(from, reply);
  }

  private candidateLogUpToDate(message: RequestVote): boolean {
    const lastTerm = this.termAt(this.lastIndex());
    return message.lastLogTerm > lastTerm || (message.lastLogTerm === lastTerm && message.lastLogIndex >= this.lastIndex());
  }

  private onVoteReply(from: string, message: VoteReply): void {
    if (message.term > this.term) {
      this.becomeFollower(message.term);
      return;
    }
    if (this.role !== 'candidate' || message.term !== this.term || !message.granted) return;
    this.votes.add(from);
    if (this.votes.size >= this.voteMajority()) this.becomeLeader();
  }

  private becomeLeader(): void {
    this.role = 'leader';
    this.leaderId = this.id;
    this.electionTimer?.cancel();
    this.electionTimer = undefined;
    const now = this.ctx.scheduler.now();
    for (const peer of this.ctx.peers) {
      this.nextIndex.set(peer, this.lastIndex() + 1);
      this.matchIndex.set(peer, 0);
      if (this.votes.has(peer)) this.lastContact.set(peer, now);
      else this.lastContact.delete(peer);
    }
    this.observe();
    this.append({ kind: 'noop' });
    this.replicateToAll();
    this.scheduleHeartbeat();
    this.settleRequests();
  }

  private becomeFollower(term: number): void {
    const changed = term !== this.term || this.role !== 'follower';
    if (term > this.term) {
      this.term = term;
      this.votedFor = null;
    }
    if (this.role !== 'follower') {
      this.heartbeatTimer?.cancel();
      this.heartbeatTimer = undefined;
    }
    this.role = 'follower';
    this.leaderId = null;
    if (changed) this.observe();
    this.resetElectionTimer();
  }

  /** Leaders send heartbeats and check their quorum; candidates repeat unanswered vote requests. */
  private scheduleHeartbeat(): void {
    this.heartbeatTimer?.cancel();
    this.heartbeatTimer = this.ctx.scheduler.after(this.ctx.timings.heartbeatMs, () => {
      this.heartbeatTimer = undefined;
      if (!this.running) return;
      if (this.role === 'leader') {
        if (!this.hasQuorumContact() && !this.ctx.faults.noQuorumCheck) {
          this.becomeFollower(this.term);
          return;
        }
        if (!this.ctx.faults.silentLeader) this.replicateToAll();
        else for (const peer of this.ctx.peers) if ((this.nextIndex.get(peer) ?? 1) <= this.lastIndex()) this.replicateTo(peer);
      } else if (this.role === 'candidate') {
        this.requestVotes();
      } else {
        return;
      }
      this.scheduleHeartbeat();
    });
  }

  // ---- replication ----

  private append(command: Command): LogEntry {
    const entry: LogEntry = { index: this.lastIndex() + 1, term: this.term, command };
    this.log.push(entry);
    this.applyAvailable();
    return entry;
  }

  private replicateToAll(): void {
    for (const peer of this.ctx.peers) this.replicateTo(peer);
  }

  private replicateTo(peer: string): void {
    const next = this.nextIndex.get(peer) ?? this.lastIndex() + 1;
    const prevLogIndex = next - 1;
    const entries = this.log.slice(next - 1, next - 1 + MAX_BATCH);
    const message: AppendEntries = {
      type: 'append-entries',
      term: this.term,
      leader: this.id,
      prevLogIndex,
      prevLogTerm: this.termAt(prevLogIndex),
      entries,
      leaderCommit: this.commitIndex,
    };
    this.send(peer, message);
    if (entries.length > 0) this.nextIndex.set(peer, next + entries.length);
  }

  private onAppendEntries(from: string, message: AppendEntries): void {
    if (message.term < this.term) {
      this.send(from, { type: 'append-reply', term: this.term, success: false, matchIndex: 0, resumeIndex: 0 });
      return;
    }
    if (message.term > this.term || this.role !== 'follower') this.becomeFollower(message.term);
    const leaderChanged = this.leaderId !== message.leader;
    this.leaderId = message.leader;
    this.resetElectionTimer();

    const reply = (success: boolean, matchIndex: number, resumeIndex: number): void =>
      this.send(from, { type: 'append-reply', term: this.term, success, matchIndex, resumeIndex });

    if (message.prevLogIndex > this.lastIndex()) {
      reply(false, 0, this.lastIndex() + 1);
    } else if (this.termAt(message.prevLogIndex) !== message.prevLogTerm) {
      reply(false, 0, this.firstIndexOfTermAt(message.prevLogIndex));
    } else {
      this.storeEntries(message.entries);
      const lastNew = message.prevLogIndex + message.entries.length;
      if (!this.ctx.faults.followersIgnoreCommit) {
        const commit = Math.min(message.leaderCommit, lastNew);
        if (commit > this.commitIndex) this.commitIndex = commit;
      }
      this.applyAvailable();
      reply(true, lastNew, lastNew + 1);
    }
    if (leaderChanged || this.requests.size > 0) this.settleRequests();
  }

  private storeEntries(entries: readonly LogEntry[]): void {
    for (const entry of entries) {
      if (entry.index <= this.lastIndex()) {
        if (this.termAt(entry.index) === entry.term) continue;
        this.truncateFrom(entry.index);
      }
      this.log.push(entry);
    }
  }

  /** Drops entries from `index` on; only uncommitted entries, unless a fault broke the election rules. */
  private truncateFrom(index: number): void {
    this.log.length = index - 1;
    if (this.commitIndex > this.lastIndex()) this.commitIndex = this.lastIndex();
    if (this.lastApplied >= index) this.rebuildData();
  }

  private onAppendReply(from: string, message: AppendReply): void {
    if (message.term > this.term) {
      this.becomeFollower(message.term);
      return;
    }
    if (this.role !== 'leader' || message.term !== this.term) return;
    this.lastContact.set(from, this.ctx.scheduler.now());
    if (message.success) {
      if (message.matchIndex > (this.matchIndex.get(from) ?? 0)) this.matchIndex.set(from, message.matchIndex);
      if (message.matchIndex + 1 > (this.nextIndex.get(from) ?? 1)) this.nextIndex.set(from, message.matchIndex + 1);
      this.advanceCommit();
    } else if (!this.ctx.faults.noBacktrack && message.resumeIndex < (this.nextIndex.get(from) ?? 1)) {
      this.nextIndex.set(from, Math.max(1, message.resumeIndex));
      this.replicateTo(from);
    }
  }

  private advanceCommit(): void {
    if (this.role !== 'leader') return;
    for (let index = this.lastIndex(); index > this.commitIndex; index--) {
      if (this.termAt(index) !== this.term) break;
      let holders = 1;
      for (const peer of this.ctx.peers) if ((this.matchIndex.get(peer) ?? 0) >= index) holders++;
      if (holders >= this.commitQuorum()) {
        this.commitIndex = index;
        this.applyAvailable();
        this.settleRequests();
        this.replicateToAll();
        return;
      }
    }
  }

  // ---- state machine ----

  private applyAvailable(): void {
    const limit = this.ctx.faults.applyUncommitted ? this.lastIndex() : this.commitIndex;
    for (; this.lastApplied < limit; this.lastApplied++) {
      const { command } = this.log[this.lastApplied];
      if (command.kind === 'put') this.data.set(command.key, command.value);
    }
  }

  private rebuildData(): void {
    this.data = new Map();
    this.lastApplied = 0;
    this.applyAvailable();
  }

  // ---- helpers ----

  private lastIndex(): number {
    return this.log.length;
  }

  private termAt(index: number): number {
    return index === 0 ? 0 : (this.log[index - 1]?.term ?? 0);
  }

  private firstIndexOfTermAt(index: number): number {
    const term = this.termAt(index);
    let first = index;
    while (first > 1 && this.termAt(first - 1) === term) first--;
    return first;
  }

  private clusterSize(): number {
    return this.ctx.peers.length + 1;
  }

  private voteMajority(): number {
    return Math.floor(this.clusterSize() / 2) + 1;
  }

  /** How many nodes (leader included) must hold an entry to commit it, and must be heard from to keep leading. */
  private commitQuorum(): number {
    return this.ctx.faults.minorityCommit ? Math.floor(this.clusterSize() / 2) : this.voteMajority();
  }

  /** Heard from a majority within two maximum election timeouts (CheckQuorum). */
  private hasQuorumContact(): boolean {
    if (this.role !== 'leader') return false;
    const since = this.ctx.scheduler.now() - 2 * this.ctx.timings.electionTimeoutMaxMs;
    let reachable = 1;
    for (const peer of this.ctx.peers) if ((this.lastContact.get(peer) ?? -Infinity) >= since) reachable++;
    return reachable >= this.commitQuorum();
  }

  private observe(): void {
    this.ctx.observations.record(this.ctx.scheduler.now(), this.id, this.term, this.running ? this.role : 'stopped');
  }
}
