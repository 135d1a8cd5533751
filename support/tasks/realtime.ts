import assert from 'node:assert/strict';
import type { NovaWorld } from '../world';
import { EventStream, StreamRefused } from '../ws-client';
import { createAccount, forgedToken, signInRequest } from './sessions';
import { volumeNamed } from './storage';
import { vmNamed, type VmState } from './vms';

/** The scenario's "tabs": event streams of the signed-in user, opened in order. */
export async function openTabs(world: NovaWorld, count: number): Promise<void> {
  for (let i = 0; i < count; i++) await world.openStream(world.actor.token);
}

export function tab(world: NovaWorld, which: 'first' | 'second'): EventStream {
  const stream = world.streams[which === 'first' ? 0 : 1];
  if (!stream) throw new Error(`there is no ${which} tab: add "And I have the dashboard open in two tabs"`);
  return stream;
}

export async function expectTabsShow(world: NovaWorld, alias: string, state: VmState, withinMs: number, since: number): Promise<number> {
  const vm = vmNamed(world, alias);
  const seen = await Promise.all(
    world.streams.slice(0, 2).map((stream, i) =>
      stream
        .waitFor((m) => m.type === 'vm.state_changed' && m.data.vm_id === vm.id && m.data.to_state === state, withinMs, `"${alias}" becoming ${state} in tab ${i + 1}`)
        .then(() => performance.now() - since),
    ),
  );
  const slowest = Math.max(...seen);
  assert.ok(slowest <= withinMs, `a tab showed "${alias}" as ${state} only after ${slowest.toFixed(0)} ms`);
  return slowest;
}

export function expectNoDuplicates(world: NovaWorld): void {
  const stream = world.streams[0];
  const sequences = stream.received.filter((m) => m.type !== 'welcome').map((m) => m.sequence);
  const duplicates = sequences.filter((sequence, i) => sequences.indexOf(sequence) !== i);
  assert.deepEqual(duplicates, [], `events delivered more than once: ${duplicates.join(', ')}`);
}

type Credentials = 'without signing in' | 'with a made-up session' | 'with a session that has ended';

export async function connectWith(world: NovaWorld, credentials: Credentials): Promise<void> {
  let token: string | undefined;
  if (credentials === 'with a made-up session') token = forgedToken();
  if (credentials === 'with a session that has ended') {
    const account = await createAccount(world, 'leaver');
    const session = await signInRequest(world, { username: account.username, password: account.password });
    token = session.data.token;
    const logout = await world.suite.client(token).post('/api/auth/logout');
    assert.equal(logout.status, 200, `signing out answered ${logout.status}`);
  }
  const outcome = world.domain('stream-attempt', () => ({ refused: undefined as StreamRefused | undefined, stream: undefined as EventStream | undefined }));
  try {
    outcome.stream = await world.openStream(token);
  } catch (error) {
    if (!(error instanceof StreamRefused)) throw error;
    outcome.refused = error;
  }
}

export function expectConnectionRefused(world: NovaWorld): void {
  const outcome = world.state.get('stream-attempt') as { refused?: StreamRefused } | undefined;
  assert.ok(outcome, 'no connection to the event stream was attempted');
  assert.ok(outcome.refused, 'the event stream accepted a subscriber without a valid session');
  assert.equal(outcome.refused.status, 401, `the event stream refused the connection with ${outcome.refused.status}, expected 401`);
}

/** The topics of the stream, in the words of the feature. */
const TOPICS = { machine: 'vm', storage: 'storage' } as const;
export type TopicWord = keyof typeof TOPICS;

function topicStreams(world: NovaWorld): Map<TopicWord, EventStream> {
  return world.domain('topic streams', () => new Map<TopicWord, EventStream>());
}

/** A stream of the signed-in user that asks for one topic only. */
export async function followTopic(world: NovaWorld, topic: TopicWord): Promise<void> {
  topicStreams(world).set(topic, await world.openStream(world.actor.token, [TOPICS[topic]]));
}

/**
 * The stream for `topic` announced the resource with this id within 5 s, and every message it
 * received after the welcome is of that topic (other scenarios' events of other topics included).
 */
export async function expectOnlyTopic(world: NovaWorld, topic: TopicWord, field: 'vm_id' | 'volume_id', id: string, what: string): Promise<void> {
  const stream = topicStreams(world).get(topic);
  if (!stream) throw new Error(`no stream follows ${topic} events: add "Given I follow the real-time event stream for ${topic} events only"`);
  await stream.waitFor((message) => message.data[field] === id, 5000, `announcement of ${what}`);
  const [welcome, ...rest] = stream.received;
  assert.equal(welcome?.type, 'welcome', `the first message of the stream is ${JSON.stringify(welcome)}, not the welcome`);
  const others = rest.filter((message) => !message.type.startsWith(`${TOPICS[topic]}.`)).map((message) => message.type);
  assert.deepEqual([...new Set(others)], [], `the subscriber to ${topic} events was also told about other topics`);
}

export function expectOnlyStorage(world: NovaWorld, alias: string): Promise<void> {
  return expectOnlyTopic(world, 'storage', 'volume_id', volumeNamed(world, alias).id, `the volume ${alias}`);
}

export function expectOnlyMachines(world: NovaWorld, alias: string): Promise<void> {
  return expectOnlyTopic(world, 'machine', 'vm_id', vmNamed(world, alias).id, `the machine ${alias}`);
}
