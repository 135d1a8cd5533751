import type { WebSocket } from 'ws';
import { invalidInput, type FieldError } from '../http/errors';
import type { Router, UpgradeRequest } from '../http/router';
import type { ReferenceContext, ReferenceModule } from '../module';
import type { PublishedEvent } from './events';
import { CORE_FAULTS } from './faults';

const PING_INTERVAL_MS = 30_000;
/** Close code when the connection's session signs out. */
export const SIGNED_OUT = 4001;
/** A subscriber this far behind is cut off rather than buffered without bound. */
const MAX_BUFFERED_BYTES = 16 * 1024 * 1024;

interface Subscription {
  since?: number;
  topics?: Set<string>;
}

/**
 * `GET /ws/events`: the real-time stream of the event bus. Token as `?token=` or Authorization
 * header (401 before the upgrade without a valid one). First a `welcome` with the latest sequence,
 * then, with `?since=N`, every buffered event after N, then live events; `?topics=vm,autoscaling`
 * keeps only those topics. Each subscriber gets the events in sequence order. Signing out closes
 * the session's connections with code 4001.
 */
export function createStreamModule(): ReferenceModule {
  const alive = new WeakMap<WebSocket, boolean>();
  /** Open connections by the session of their token, closed when that session signs out. */
  const bySession = new Map<string, Set<WebSocket>>();
  let sockets: Set<WebSocket> | undefined;
  let ctxRef: ReferenceContext | undefined;
  return {
    name: 'stream',
    register(router: Router, ctx: ReferenceContext) {
      ctxRef = ctx;
      sockets = router.webSockets;
      router.websocket('/ws/events', (request) => {
        const sessionId = CORE_FAULTS.on(ctx.faults).wsAcceptsAnonymous ? undefined : ctx.auth.requireRole(request, 'viewer').sessionId;
        const subscription = parseSubscription(request, CORE_FAULTS.on(ctx.faults).wsBadSubscriptionAccepted);
        return (socket) => {
          open(ctx, socket, subscription, alive);
          if (sessionId !== undefined) track(bySession, sessionId, socket);
        };
      });
      if (!CORE_FAULTS.on(ctx.faults).logoutKeepsStreams) {
        ctx.auth.onSessionEnded((sessionId) => {
          for (const socket of bySession.get(sessionId) ?? []) socket.close(SIGNED_OUT, 'the session has signed out');
        });
      }
    },
    start() {
      ctxRef?.timers.interval(PING_INTERVAL_MS, () => {
        for (const socket of sockets ?? []) {
          if (alive.get(socket) === false) {
            socket.terminate();
            continue;
          }
          alive.set(socket, false);
          socket.ping();
        }
      }, 'the WebSocket keep-alive');
    },
  };
}

function open(ctx: ReferenceContext, socket: WebSocket, subscription: Subscription, alive: WeakMap<WebSocket, boolean>): void {
  const dropStateChanges = CORE_FAULTS.on(ctx.faults).wsDropsStateChanges;
  const topics = CORE_FAULTS.on(ctx.faults).wsTopicsIgnored ? undefined : subscription.topics;
  const wanted = (event: PublishedEvent): boolean => (!topics || topics.has(event.topic)) && !(dropStateChanges && event.type === 'vm.state_changed');
  const send = (event: PublishedEvent): void => {
    if (socket.bufferedAmount > MAX_BUFFERED_BYTES) {
      ctx.log.warn('closing a WebSocket subscriber that fell too far behind');
      socket.terminate();
      return;
    }
    if (wanted(event)) socket.send(event.json);
  };

  alive.set(socket, true);
  socket.on('pong', () => alive.set(socket, true));
  socket.on('error', (error) => ctx.log.debug(`WebSocket error: ${error.message}`));
  // Everything below runs in one tick: no event can slip between the replay and the live feed.
  const latest = CORE_FAULTS.on(ctx.faults).wsWelcomeSequenceBehind ? Math.max(0, ctx.events.latest - 1) : ctx.events.latest;
  socket.send(JSON.stringify({ type: 'welcome', timestamp: new Date().toISOString(), sequence: latest, data: { server_time: new Date().toISOString() } }));
  if (subscription.since !== undefined && !CORE_FAULTS.on(ctx.faults).wsResumeLosesEvents) {
    const after = CORE_FAULTS.on(ctx.faults).wsReplayDuplicates ? Math.max(0, subscription.since - 1) : subscription.since;
    for (const event of ctx.events.since(after)) send(event);
  }
  const unsubscribe = ctx.events.subscribe(send);
  socket.on('close', unsubscribe);
}

function track(bySession: Map<string, Set<WebSocket>>, sessionId: string, socket: WebSocket): void {
  let open = bySession.get(sessionId);
  if (!open) {
    open = new Set();
    bySession.set(sessionId, open);
  }
  open.add(socket);
  socket.on('close', () => {
    open.delete(socket);
    if (open.size === 0 && bySession.get(sessionId) === open) bySession.delete(sessionId);
  });
}

function parseSubscription(request: UpgradeRequest, acceptInvalid: boolean): Subscription {
  const details: FieldError[] = [];
  const subscription: Subscription = {};
  const since = request.query.get('since');
  if (since !== null) {
    if (/^\d+$/.test(since) && Number.isSafeInteger(Number(since))) subscription.since = Number(since);
    else details.push({ field: 'since', message: 'must be a sequence number (a whole number from 0)' });
  }
  const topics = request.query.get('topics');
  if (topics !== null) {
    const names = topics.split(',').map((topic) => topic.trim()).filter((topic) => topic !== '');
    if (names.length === 0 || !names.every((topic) => /^[a-z][a-z0-9_-]*$/.test(topic))) {
      details.push({ field: 'topics', message: 'must be a comma-separated list of topics such as vm,autoscaling' });
    } else {
      subscription.topics = new Set(names);
    }
  }
  if (details.length > 0 && !acceptInvalid) throw invalidInput('event stream subscription', details);
  return subscription;
}
