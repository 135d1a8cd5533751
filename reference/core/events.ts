import type { Logger } from '../log';

/** One message of the real-time stream. */
export interface StreamEvent {
  readonly type: string;
  readonly timestamp: string;
  /** Strictly increasing per server, without gaps. */
  readonly sequence: number;
  readonly data: Readonly<Record<string, unknown>>;
}

/** An event as stored: with its JSON text, serialised once for every subscriber. */
export interface PublishedEvent extends StreamEvent {
  readonly json: string;
  /** The part of `type` before the first dot (`vm` for `vm.state_changed`), used by `?topics=`. */
  readonly topic: string;
}

export type EventListener = (event: PublishedEvent) => void;

/**
 * The event bus behind `/ws/events`: numbers every event, keeps the last `capacity` of them for
 * replay (`?since=`), and hands each one synchronously to the subscribers, in order.
 */
export class EventBus {
  private sequence = 0;
  private readonly buffer: PublishedEvent[] = [];
  /** Index in `buffer` of the oldest event once the buffer is full (a ring). */
  private head = 0;
  private readonly listeners = new Set<EventListener>();

  constructor(
    private readonly log: Logger,
    readonly capacity = 10_000,
  ) {}

  /** The sequence number of the last event published, 0 before the first. */
  get latest(): number {
    return this.sequence;
  }

  publish(type: string, data: Record<string, unknown>): StreamEvent {
    const sequence = ++this.sequence;
    const timestamp = new Date().toISOString();
    const message = { type, timestamp, sequence, data };
    const event: PublishedEvent = { ...message, json: JSON.stringify(message), topic: topicOf(type) };
    if (this.buffer.length < this.capacity) {
      this.buffer.push(event);
    } else {
      this.buffer[this.head] = event;
      this.head = (this.head + 1) % this.capacity;
    }
    for (const listener of this.listeners) {
      try {
        listener(event);
      } catch (error) {
        this.log.error(`a subscriber of ${type} failed`, error);
      }
    }
    return message;
  }

  /** Calls `listener` for every event published from now on; returns the unsubscribe function. */
  subscribe(listener: EventListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Buffered events with a sequence greater than `sequence`, oldest first. */
  since(sequence: number): PublishedEvent[] {
    const count = this.buffer.length;
    if (count === 0) return [];
    const oldest = this.sequence - count + 1;
    const first = Math.max(sequence + 1, oldest);
    const result: PublishedEvent[] = [];
    for (let s = first; s <= this.sequence; s++) {
      result.push(this.buffer[(this.head + (s - oldest)) % count]);
    }
    return result;
  }

  get subscribers(): number {
    return this.listeners.size;
  }
}

export function topicOf(type: string): string {
  const dot = type.indexOf('.');
  return dot < 0 ? type : type.slice(0, dot);
}
