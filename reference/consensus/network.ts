import type { Envelope } from './messages';
import type { SeededRandom } from './random';
import type { Scheduler } from './scheduler';

/** The behaviour of one direction of a link between two nodes. */
export interface LinkCondition {
  /** Added to the base latency of every message, in ms. */
  delayMs: number;
  /** Probability in [0, 1] that a message is lost. */
  dropRate: number;
}

export interface NetworkOptions {
  scheduler: Scheduler;
  random: SeededRandom;
  /** Base one-way latency, drawn uniformly from [min, max] ms per message. */
  latencyMinMs: number;
  latencyMaxMs: number;
}

export interface NetworkView {
  partitions: string[][];
  links: Array<{ from: string; to: string } & LinkCondition>;
}

const HEALTHY: LinkCondition = { delayMs: 0, dropRate: 0 };

/**
 * The simulated network between control-plane nodes: every message takes a latency, may be
 * delayed further or lost per link, is lost across a partition, and is lost when either end is
 * down (at send or at delivery: a partition also cuts messages in flight).
 */
export class SimulatedNetwork {
  private readonly handlers = new Map<string, (envelope: Envelope) => void>();
  private readonly down = new Set<string>();
  private readonly conditions = new Map<string, LinkCondition>();
  private group = new Map<string, number>();
  private partitionGroups: string[][] = [];
  private counters = { sent: 0, delivered: 0, dropped: 0 };

  constructor(private readonly options: NetworkOptions) {}

  attach(node: string, handler: (envelope: Envelope) => void): void {
    this.handlers.set(node, handler);
  }

  setUp(node: string, up: boolean): void {
    if (up) this.down.delete(node);
    else this.down.add(node);
  }

  /** Nodes in different groups cannot reach each other; nodes in no group form one more group. */
  partition(groups: string[][]): void {
    this.group = new Map();
    groups.forEach((members, i) => members.forEach((node) => this.group.set(node, i)));
    this.partitionGroups = groups.map((members) => [...members]);
  }

  heal(): void {
    this.group = new Map();
    this.partitionGroups = [];
  }

  setLink(from: string, to: string, condition: Partial<LinkCondition>): void {
    const next = { ...this.link(from, to), ...condition };
    if (next.delayMs === 0 && next.dropRate === 0) this.conditions.delete(key(from, to));
    else this.conditions.set(key(from, to), next);
  }

  clearLinks(): void {
    this.conditions.clear();
  }

  link(from: string, to: string): LinkCondition {
    return this.conditions.get(key(from, to)) ?? HEALTHY;
  }

  /** Whether a message sent now from `from` could reach `to` (ignoring random loss). */
  connected(from: string, to: string): boolean {
    return !this.down.has(from) && !this.down.has(to) && (this.group.get(from) ?? -1) === (this.group.get(to) ?? -1);
  }

  send(envelope: Envelope): void {
    this.counters.sent++;
    const { from, to } = envelope;
    const condition = this.link(from, to);
    if (!this.connected(from, to) || (condition.dropRate > 0 && this.options.random.next() < condition.dropRate)) {
      this.counters.dropped++;
      return;
    }
    const latency = this.options.random.between(this.options.latencyMinMs, this.options.latencyMaxMs) + condition.delayMs;
    this.options.scheduler.after(latency, () => {
      const handler = this.handlers.get(to);
      if (!handler || !this.connected(from, to)) {
        this.counters.dropped++;
        return;
      }
      this.counters.delivered++;
      handler(envelope);
    });
  }

  view(): NetworkView {
    return {
      partitions: this.partitionGroups.map((members) => [...members]),
      links: [...this.conditions].map(([k, condition]) => {
        const [from, to] = k.split('>');
        return { from, to, ...condition };
      }),
    };
  }

  stats(): { sent: number; delivered: number; dropped: number } {
    return { ...this.counters };
  }
}

function key(from: string, to: string): string {
  return `${from}>${to}`;
}
