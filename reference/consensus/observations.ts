import type { Role } from './messages';

export type ObservedRole = Role | 'stopped';

/** One change of a node's term or role, as the node itself saw it. */
export interface Observation {
  readonly sequence: number;
  /** Scheduler time in ms. */
  readonly at: number;
  readonly node: string;
  readonly term: number;
  readonly role: ObservedRole;
}

/** The transitions of every node, newest last, bounded so a long run does not grow without end. */
export class ObservationLog {
  private readonly items: Observation[] = [];
  private sequence = 0;

  constructor(private readonly capacity = 10_000) {}

  record(at: number, node: string, term: number, role: ObservedRole): void {
    this.items.push({ sequence: ++this.sequence, at, node, term, role });
    if (this.items.length > this.capacity) this.items.splice(0, this.items.length - this.capacity);
  }

  /** Observations with a sequence above `after`, oldest first. */
  since(after = 0): Observation[] {
    if (this.items.length === 0 || after < this.items[0].sequence - 1) return this.items.slice();
    return this.items.slice(after - this.items[0].sequence + 1);
  }

  get latestSequence(): number {
    return this.sequence;
  }
}
