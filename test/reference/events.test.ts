import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { EventBus, topicOf, type PublishedEvent } from '../../reference/core/events';
import { createLogger } from '../../reference/log';

const quiet = createLogger('error', () => undefined);

describe('event bus', () => {
  it('numbers events from 1 without gaps and hands them to subscribers in order', () => {
    const bus = new EventBus(quiet);
    const seen: PublishedEvent[] = [];
    const unsubscribe = bus.subscribe((event) => seen.push(event));
    assert.equal(bus.latest, 0);
    bus.publish('vm.created', { vm_id: 'vm-1' });
    bus.publish('vm.state_changed', { vm_id: 'vm-1', to_state: 'provisioning' });
    unsubscribe();
    bus.publish('vm.deleted', { vm_id: 'vm-1' });
    assert.deepEqual(seen.map((event) => [event.sequence, event.type, event.topic]), [
      [1, 'vm.created', 'vm'],
      [2, 'vm.state_changed', 'vm'],
    ]);
    assert.equal(bus.latest, 3);
    assert.deepEqual(JSON.parse(seen[0].json), { type: 'vm.created', timestamp: seen[0].timestamp, sequence: 1, data: { vm_id: 'vm-1' } });
  });

  it('replays the events after a sequence number', () => {
    const bus = new EventBus(quiet);
    for (let i = 0; i < 5; i++) bus.publish('vm.created', { i });
    assert.deepEqual(bus.since(2).map((event) => event.sequence), [3, 4, 5]);
    assert.deepEqual(bus.since(0).map((event) => event.sequence), [1, 2, 3, 4, 5]);
    assert.deepEqual(bus.since(5), []);
    assert.deepEqual(bus.since(99), []);
  });

  it('keeps the last `capacity` events once the buffer wraps around', () => {
    const bus = new EventBus(quiet, 4);
    for (let i = 1; i <= 11; i++) bus.publish('vm.created', { i });
    assert.deepEqual(bus.since(0).map((event) => event.sequence), [8, 9, 10, 11]);
    assert.deepEqual(bus.since(9).map((event) => event.data.i), [10, 11]);
  });

  it('keeps at least 10,000 events by default', () => {
    const bus = new EventBus(quiet);
    for (let i = 0; i < 10_500; i++) bus.publish('vm.created', {});
    const replay = bus.since(0);
    assert.equal(replay.length, 10_000);
    assert.equal(replay[0].sequence, 501);
    assert.equal(replay.at(-1)?.sequence, 10_500);
  });

  it('survives a failing subscriber and logs it', () => {
    const lines: string[] = [];
    const bus = new EventBus(createLogger('error', (line) => lines.push(line)));
    const seen: number[] = [];
    bus.subscribe(() => {
      throw new Error('boom');
    });
    bus.subscribe((event) => seen.push(event.sequence));
    bus.publish('vm.created', {});
    assert.deepEqual(seen, [1]);
    assert.ok(lines.some((line) => line.includes('boom')));
  });

  it('takes the topic from the part of the type before the first dot', () => {
    assert.equal(topicOf('autoscaling.scaled_up'), 'autoscaling');
    assert.equal(topicOf('welcome'), 'welcome');
  });
});
