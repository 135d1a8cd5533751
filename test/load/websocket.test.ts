import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { WebSocketServer } from 'ws';
import { WebSocketLoad } from '../../support/load/websocket';

describe('WebSocketLoad', () => {
  let server: http.Server;
  let wss: WebSocketServer;
  let url: string;
  let skipEveryThird = false;

  function broadcast(kind: string): void {
    let index = 0;
    for (const client of wss.clients) {
      index += 1;
      if (skipEveryThird && index % 3 === 0) continue;
      client.send(JSON.stringify({ type: kind, timestamp: new Date().toISOString(), sequence: index, data: {} }));
    }
  }

  before(async () => {
    server = http.createServer();
    wss = new WebSocketServer({ noServer: true });
    server.on('upgrade', (request, socket, head) => {
      if (!request.url?.includes('token=good')) {
        socket.end('HTTP/1.1 401 Unauthorized\r\nContent-Length: 0\r\n\r\n');
        return;
      }
      wss.handleUpgrade(request, socket, head, (ws) => wss.emit('connection', ws, request));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `ws://127.0.0.1:${(server.address() as AddressInfo).port}/ws/events`;
  });
  after(() => {
    for (const client of wss.clients) client.terminate();
    wss.close();
    server.close();
  });

  it('opens 200 connections and delivers a broadcast to every one', async () => {
    const load = new WebSocketLoad({ url: `${url}?token=good`, connections: 200 });
    const connect = await load.open();
    assert.equal(connect.connected, 200);
    assert.ok(connect.connectTime.p95 > 0);
    const delivery = await load.deliver('vm created', async () => broadcast('vm.created'), (m) => (m as { type?: string }).type === 'vm.created', 2000);
    assert.equal(delivery.expected, 200);
    assert.equal(delivery.received, 200);
    assert.equal(delivery.missing, 0);
    assert.equal(delivery.latency.count, 200);
    await load.close();
    assert.equal(load.result().unexpectedCloses, 0);
  });

  it('reports the connections a broadcast missed', async () => {
    const load = new WebSocketLoad({ url: `${url}?token=good`, connections: 30 });
    await load.open();
    skipEveryThird = true;
    try {
      const delivery = await load.deliver('partial', async () => broadcast('partial'), () => true, 300);
      assert.equal(delivery.received, 20);
      assert.equal(delivery.missing, 10);
    } finally {
      skipEveryThird = false;
      await load.close();
    }
  });

  it('counts refused upgrades as 4xx and server-side closes as unexpected', async () => {
    const refused = new WebSocketLoad({ url: `${url}?token=bad`, connections: 3 });
    const result = await refused.open();
    assert.equal(result.connected, 0);
    assert.equal(result.errors['4xx'], 3);
    assert.match(result.errorSamples[0], /HTTP 401/);

    const dropped = new WebSocketLoad({ url: `${url}?token=good`, connections: 5 });
    await dropped.open();
    for (const client of wss.clients) client.terminate();
    await new Promise((resolve) => setTimeout(resolve, 100));
    assert.equal(dropped.result().unexpectedCloses, 5);
    assert.equal(dropped.openConnections, 0);
    await dropped.close();
  });
});
