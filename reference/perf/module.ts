import { setTimeout as sleep } from 'node:timers/promises';
import type { EventBus } from '../core/events';
import { validateListQuery } from '../core/vms/validation';
import type { ApiRequest, Router } from '../http/router';
import type { ReferenceContext, ReferenceModule } from '../module';
import { PERF_FAULTS } from './faults';
import { SystemMetricsReader } from './metrics';

const SERIALIZED_WRITE_MS = 400;
const SLOW_SUMMARY_MS = 3000;
const LIST_BLOCK_MS = 30;
const DEEP_PAGE_MS_PER_SKIPPED_VM = 40;
const LEAKED_BYTES_PER_REQUEST = 512 * 1024;
const FAN_OUT_CAP = 64;

/**
 * The defect: the event loop is held for `ms`, as by synchronous work. It sleeps the thread rather
 * than spinning, so fault verification's other runs keep the CPU; to every client it is the same stall.
 */
function blockEventLoop(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

/** A queue of 400 ms turns: each caller waits for every earlier one. */
function globalLock(): () => Promise<void> {
  let tail: Promise<void> = Promise.resolve();
  return () => {
    const turn = tail.then(() => sleep(SERIALIZED_WRITE_MS)).then(() => undefined);
    tail = turn;
    return turn;
  };
}

/**
 * The performance domain: `GET /api/v1/system/metrics` (the process's CPU, memory, event-loop
 * delay and connections, so a remote target can be monitored) and the performance faults of
 * ./faults.ts, applied as request hooks and around the event bus so no other module changes.
 */
export function createPerfModule(): ReferenceModule {
  const reader = new SystemMetricsReader();
  const leaked: Buffer[] = [];
  return {
    name: 'perf',
    register(router: Router, ctx: ReferenceContext) {
      router.get('/api/v1/system/metrics', (request) => {
        ctx.auth.requireRole(request, 'viewer');
        return reader.read({ websocket: router.webSockets.size, event_subscribers: ctx.events.subscribers });
      });
      installFaults(router, ctx, leaked);
    },
    stop() {
      reader.stop();
      leaked.length = 0;
    },
  };
}

function installFaults(router: Router, ctx: ReferenceContext, leaked: Buffer[]): void {
  const fault = PERF_FAULTS.on(ctx.faults);
  const { vmWritesSerialized: writesSerialized, summarySlow, vmListBlocks: listBlocks, leaksConnectionBuffers: leaks, deepPagesSlow } = fault;
  if (writesSerialized || summarySlow || listBlocks || leaks || deepPagesSlow) {
    const lock = globalLock();
    router.before('/api/v1/', async (request: ApiRequest) => {
      if (leaks) leaked.push(Buffer.alloc(LEAKED_BYTES_PER_REQUEST, 1));
      if (listBlocks && request.method === 'GET' && request.path === '/api/v1/vms') blockEventLoop(LIST_BLOCK_MS);
      if (summarySlow && request.method === 'GET' && request.path === '/api/v1/dashboard/summary') await sleep(SLOW_SUMMARY_MS);
      if (deepPagesSlow && request.method === 'GET' && request.path === '/api/v1/vms') await sleep(DEEP_PAGE_MS_PER_SKIPPED_VM * vmsBeforePage(request));
      if (writesSerialized && request.method !== 'GET' && request.path.startsWith('/api/v1/vms')) await lock();
    });
  }
  if (fault.fanOutCapped || fault.subscriptionsLeak) wrapSubscribe(ctx.events, fault.fanOutCapped, fault.subscriptionsLeak);
}

/** The VMs on the pages before the requested one (an invalid query is refused by the list itself). */
function vmsBeforePage(request: ApiRequest): number {
  try {
    const { page, pageSize } = validateListQuery(request.query);
    return (page - 1) * pageSize;
  } catch {
    return 0;
  }
}

/** The event-bus faults: later subscribers get nothing (capped fan-out), or nobody ever leaves (leak). */
function wrapSubscribe(bus: EventBus, capped: boolean, leaking: boolean): void {
  const subscribe = bus.subscribe.bind(bus);
  bus.subscribe = (listener) => {
    if (capped && bus.subscribers >= FAN_OUT_CAP) return () => false;
    const unsubscribe = subscribe(listener);
    return leaking ? () => false : unsubscribe;
  };
}
