import assert from 'node:assert/strict';
import type { NovaWorld } from '../world';
import { EventStream, StreamRefused } from '../ws-client';
import { createAccount, forgedToken, signInRequest } from './sessions';
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
