import { randomInt, randomUUID } from 'node:crypto';
import type { Check } from '../core/health/checks';
import type { FaultSet } from '../faults';
import { conflict, notFound } from '../http/errors';
import type { Timings } from '../options';
import type { Timers } from '../timers';
import { RaftCluster, type ClusterTimings } from './cluster';
import { pumpedScheduler, type PumpedScheduler } from './scheduler';
import { CONSENSUS_FAULTS } from './faults';

const CONTROL_PLANE = 'control-plane';
const CONTROL_PLANE_SIZE = 3;
/** Simulated clusters alive at once, so a leaking client cannot exhaust the reference. */
const MAX_SIMULATED_CLUSTERS = 32;

/**
 * The control plane's own cluster, plus the simulated clusters the suite creates so that each
 * scenario partitions and fails nodes of a cluster of its own, never the one the health reports.
 */
export class ClusterRegistry {
  private readonly clusters = new Map<string, RaftCluster>();
  private readonly scheduler: PumpedScheduler;
  private readonly timings: Partial<ClusterTimings>;
  /** When the control plane was last seen with a leader that had a majority. */
  private lastLeaderAt: number | undefined = 0;

  constructor(private readonly deps: { timers: Timers; timings: Timings; faults: FaultSet }) {
    this.scheduler = pumpedScheduler((ms, beat) => {
      const handle = deps.timers.interval(ms, beat, 'the consensus clock');
      return { cancel: () => deps.timers.cancel(handle) };
    });
    this.timings = consensusTimings(deps.timings);
    this.clusters.set(CONTROL_PLANE, this.build(CONTROL_PLANE_SIZE, randomInt(1, 2 ** 31)));
  }

  start(): void {
    this.controlPlane.start();
    this.deps.timers.interval(this.deps.timings.heartbeat, () => this.watchControlPlane(), 'the control-plane leadership watch');
  }

  closeAll(): void {
    for (const cluster of this.clusters.values()) cluster.close();
    this.scheduler.stop();
  }

  /** A moment of the clusters' clock (observations, elections) as an ISO timestamp. */
  isoTime(at: number): string {
    return new Date(this.scheduler.wallTime(at)).toISOString();
  }

  get controlPlane(): RaftCluster {
    return this.clusters.get(CONTROL_PLANE)!;
  }

  /** The cluster a request names (`?cluster=`), the control plane's own by default; 404 for an unknown one. */
  get(id: string | null | undefined): { id: string; cluster: RaftCluster } {
    const key = id ?? CONTROL_PLANE;
    const cluster = this.clusters.get(key);
    if (!cluster) throw notFound(`cluster ${key} not found`);
    return { id: key, cluster };
  }

  createSimulated(size: number, seed: number): { id: string; cluster: RaftCluster } {
    if (this.clusters.size - 1 >= MAX_SIMULATED_CLUSTERS) {
      throw conflict(`there are already ${MAX_SIMULATED_CLUSTERS} simulated clusters; delete one first`);
    }
    const id = `cls-${randomUUID()}`;
    const cluster = this.build(size, seed);
    this.clusters.set(id, cluster);
    cluster.start();
    return { id, cluster };
  }

  /** Stops and forgets a simulated cluster; the control plane's own cannot be deleted. */
  deleteSimulated(id: string): void {
    if (id === CONTROL_PLANE) throw conflict(`the ${CONTROL_PLANE} cluster cannot be deleted`);
    const { cluster } = this.get(id);
    cluster.close();
    this.clusters.delete(id);
  }

  /**
   * The `consensus` health component: healthy while the control plane has a leader that hears from
   * a majority, or lost it less than two election timeouts ago (an election in progress);
   * unhealthy after that (the system is then degraded).
   */
  healthCheck(): Check {
    const status = this.controlPlane.status();
    if ((status.leader && status.quorum) || CONSENSUS_FAULTS.on(this.deps.faults).healthIgnoresQuorum) return { status: 'healthy', latency_ms: 0 };
    const grace = 2 * this.deps.timings.election_timeout_max;
    const leaderless = this.lastLeaderAt === undefined ? Infinity : this.scheduler.now() - this.lastLeaderAt;
    if (leaderless <= grace) return { status: 'healthy', latency_ms: 0 };
    const running = status.nodes.filter((node) => node.role !== 'stopped').length;
    return { status: 'unhealthy', latency_ms: 0, message: `no leader with a majority for ${Math.round(leaderless)} ms (${running} of ${status.nodes.length} nodes running)` };
  }

  /** Stops a majority of the control plane's nodes (`lost`), or restarts every stopped one. */
  simulateQuorumLoss(lost: boolean): void {
    const cluster = this.controlPlane;
    const ids = cluster.nodeIds;
    if (lost) ids.slice(0, Math.floor(ids.length / 2) + 1).forEach((id) => cluster.stopNode(id));
    else for (const node of cluster.status().nodes) if (node.role === 'stopped') cluster.restartNode(node.id);
  }

  private watchControlPlane(): void {
    const status = this.controlPlane.status();
    if (status.leader && status.quorum) this.lastLeaderAt = this.scheduler.now();
  }

  private build(size: number, seed: number): RaftCluster {
    return new RaftCluster({ size, seed, scheduler: this.scheduler, timings: this.timings, faults: this.deps.faults });
  }
}

/** The reference's timing table in the simulation's terms; a write may wait through a few elections. */
function consensusTimings(timings: Timings): Partial<ClusterTimings> {
  return {
    electionTimeoutMinMs: timings.election_timeout_min,
    electionTimeoutMaxMs: timings.election_timeout_max,
    heartbeatMs: timings.heartbeat,
    writeTimeoutMs: 4 * timings.election_timeout_max,
  };
}
