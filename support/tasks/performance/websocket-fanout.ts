/** Real-time updates at scale: many dashboards on the event stream, each update delivered to all of them, connections released after. */
import assert from 'node:assert/strict';
import { renderLoadReportHtml, WebSocketLoad, type WebSocketConnectResult, type WebSocketDeliveryResult } from '../../load';
import type { NovaWorld } from '../../world';
import { eventually, expectStatus } from '../expect';
import type { Vm } from '../vms';
import { METRICS_PATH } from './control-plane-resources';
import { announce, percentileOf } from './load-figures';
import { deleteLoadVmsAfterScenario, vmsCreatedByLoad } from './load-fixtures';

interface FanOutState {
  websocket?: WebSocketLoad;
  connect?: WebSocketConnectResult;
  deliveries: WebSocketDeliveryResult[];
  /** the control plane's event subscribers before the dashboards connected */
  subscribersBefore?: number;
}

function fanOut(world: NovaWorld): FanOutState {
  return world.domain('performance-websocket', (): FanOutState => ({ deliveries: [] }));
}

function streamUrl(world: NovaWorld, token: string): string {
  const url = new URL('/ws/events', world.suite.apiUrl);
  url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
  url.searchParams.set('token', token);
  url.searchParams.set('topics', 'vm');
  return url.toString();
}

async function eventSubscribers(world: NovaWorld): Promise<number> {
  const response = await world.actor.api.get<{ connections: { event_subscribers: number } }>(METRICS_PATH);
  expectStatus(response, 200, "reading the control plane's connection figures");
  return response.data.connections.event_subscribers;
}

export async function connectDashboards(world: NovaWorld, count: number): Promise<void> {
  const state = fanOut(world);
  state.subscribersBefore = await eventSubscribers(world);
  const load = new WebSocketLoad({ url: streamUrl(world, world.actor.token), connections: count, label: `${count} dashboards` });
  state.websocket = load;
  world.ledger.add('real-time connections of the load', () => load.close());
  announce(world, `🔌 Connecting ${count} dashboards to the real-time stream...`);
  state.connect = await load.open();
  const connect = state.connect;
  world.metrics.record('ws-connected', connect.connected, 'connections');
  world.metrics.record('ws-connect-p95', connect.connectTime.p95);
  world.metrics.record('ws-connect-all', Math.round(connect.totalMs));
  announce(
    world,
    `📊 WebSocket connections: ${connect.connected}/${connect.attempted} connected in ${connect.totalMs.toFixed(0)} ms (p50 ${connect.connectTime.p50.toFixed(1)} ms, p95 ${connect.connectTime.p95.toFixed(1)} ms, max ${connect.connectTime.max.toFixed(1)} ms)${connect.failed ? `; failures: ${connect.errorSamples.join('; ')}` : ''}`,
  );
}

function websocketLoad(world: NovaWorld): WebSocketLoad {
  const load = fanOut(world).websocket;
  if (!load) throw new Error('no dashboards are connected in this scenario');
  return load;
}

export function expectAllConnected(world: NovaWorld, count: number): void {
  const connect = fanOut(world).connect;
  assert.ok(connect, 'no dashboards were connected');
  assert.equal(connect.connected, count, `${connect.connected} of ${count} dashboards connected: ${connect.errorSamples.join('; ')}`);
}

export function expectConnectPercentileBelow(world: NovaWorld, percentile: number, limitMs: number): void {
  const connect = fanOut(world).connect;
  assert.ok(connect, 'no dashboards were connected');
  const value = percentileOf(connect.connectTime, percentile);
  assert.ok(value < limitMs, `the ${percentile}th percentile connection time was ${value.toFixed(1)} ms, expected below ${limitMs} ms`);
}

export async function announceVms(world: NovaWorld, count: number): Promise<void> {
  const state = fanOut(world);
  const load = websocketLoad(world);
  const created = vmsCreatedByLoad(world);
  deleteLoadVmsAfterScenario(world);
  for (let i = 1; i <= count; i += 1) {
    const name = world.unique(`announced-${i}`);
    const delivery = await load.deliver(
      `${name} created`,
      async () => {
        const response = await world.actor.api.post<Vm>('/api/v1/vms', { name, tags: [world.scenarioTag] });
        expectStatus(response, 201, `requesting ${name}`);
        created.add(response.data.id);
      },
      (message) => {
        const event = message as { type?: string; data?: { name?: string } };
        return event.type === 'vm.created' && event.data?.name === name;
      },
      10_000,
    );
    state.deliveries.push(delivery);
  }
  const result = load.result();
  world.metrics.detail('websocket', result);
  const worst = Math.max(...state.deliveries.map((d) => d.latency.p95));
  world.metrics.record('ws-delivery-p95', worst);
  announce(
    world,
    ['📊 Real-time delivery:', ...state.deliveries.map((d) => `  - ${d.event}: ${d.received}/${d.expected} dashboards, p50 ${d.latency.p50.toFixed(1)} ms, p95 ${d.latency.p95.toFixed(1)} ms, max ${d.latency.max.toFixed(1)} ms`)].join('\n'),
  );
  world.attach(renderLoadReportHtml({ title: 'Real-time updates at scale', websocket: result }), 'text/html');
}

export function expectEveryDashboardInformed(world: NovaWorld): void {
  const deliveries = fanOut(world).deliveries;
  assert.ok(deliveries.length > 0, 'no update was announced');
  const incomplete = deliveries.filter((d) => d.missing > 0 || d.expected === 0);
  assert.deepEqual(incomplete.map((d) => `${d.event}: ${d.received} of ${d.expected} dashboards`), [], 'not every dashboard received every update');
}

export function expectDeliveryPercentileBelow(world: NovaWorld, percentile: number, limitMs: number): void {
  for (const delivery of fanOut(world).deliveries) {
    const value = percentileOf(delivery.latency, percentile);
    assert.ok(value < limitMs, `the ${percentile}th percentile delivery time of "${delivery.event}" was ${value.toFixed(1)} ms, expected below ${limitMs} ms`);
  }
}

export async function disconnectDashboards(world: NovaWorld): Promise<void> {
  await websocketLoad(world).close();
}

export async function expectConnectionsReleased(world: NovaWorld, withinMs: number): Promise<void> {
  const before = fanOut(world).subscribersBefore;
  if (before === undefined) throw new Error('the connection figures were not read before the dashboards connected');
  const { elapsedMs } = await eventually(() => eventSubscribers(world), (now) => now <= before, {
    timeoutMs: withinMs,
    intervalMs: 100,
    what: `the control plane releasing the dashboards' subscriptions (back to ${before})`,
  });
  world.metrics.record('ws-release-time', Math.round(elapsedMs));
}
