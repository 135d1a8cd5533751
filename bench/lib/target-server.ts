// A bench target run as its own process (so its CPU never mixes with the client's).
// Usage: target-server.ts <plain|stall|ws> [stallMs] [periodMs]; prints "listening <port>" when ready.
import http from 'node:http';
import { WebSocketServer } from 'ws';

const RESPONSE_BODY = JSON.stringify({ status: 'ok', service: 'bench-target' });

function busyWait(ms: number): void {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    // a blocked event loop, like a long GC pause or a synchronous hot path
  }
}

function start(mode: string, stallMs: number, periodMs: number): void {
  const server = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(RESPONSE_BODY) });
      res.end(RESPONSE_BODY);
    });
  });
  server.keepAliveTimeout = 60_000;
  if (mode === 'stall') {
    setInterval(() => busyWait(stallMs), periodMs).unref();
  }
  if (mode === 'ws') {
    const wss = new WebSocketServer({ server, perMessageDeflate: false });
    let sequence = 0;
    // POST /broadcast sends one event to every connection
    server.removeAllListeners('request');
    server.on('request', (req, res) => {
      req.resume();
      if (req.url === '/broadcast') {
        sequence += 1;
        const message = JSON.stringify({ type: 'bench.event', timestamp: new Date().toISOString(), sequence, data: {} });
        for (const client of wss.clients) client.send(message);
      }
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ clients: wss.clients.size }));
    });
  }
  server.listen(0, '127.0.0.1', () => {
    const address = server.address();
    if (address === null || typeof address === 'string') throw new Error('target server: no TCP address');
    process.stdout.write(`listening ${address.port}\n`);
  });
  process.on('SIGTERM', () => process.exit(0));
}

const [mode = 'plain', stall = '1000', period = '5000'] = process.argv.slice(2);
if (!['plain', 'stall', 'ws'].includes(mode)) {
  throw new Error(`target-server mode: got "${mode}", expected plain, stall or ws`);
}
start(mode, Number(stall), Number(period));
