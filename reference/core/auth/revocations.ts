import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import { DependencyUnavailableError } from '../../http/errors';
import type { Logger } from '../../log';

/**
 * Revoked access tokens and ended sessions. Redis holds `<prefix>revoked:<jti>` with a TTL of the
 * token's remaining lifetime, and `<prefix>revoked-session:<sid>` for as long as any token of the
 * session could still be valid (the durable, shared record); every instance mirrors them in memory,
 * learns new ones from the `<prefix>revocations` channel, and reloads them after a reconnect, so
 * checking a token costs no Redis round trip.
 */
export class Revocations {
  /** jti -> when the token expires (ms). */
  private readonly revoked = new Map<string, number>();
  /** Ended sessions: sid -> when the last token the session could have issued expires (ms). */
  private readonly endedSessions = new Map<string, number>();
  private readonly sessionListeners: ((sessionId: string) => void)[] = [];
  /** Marks this instance's own announcements, which it has already applied. */
  private readonly origin = randomUUID();

  constructor(
    private readonly redis: Redis,
    private readonly subscriber: Redis,
    private readonly keyOf: (name: string) => string,
    private readonly log: Logger,
  ) {}

  private get channel(): string {
    return this.keyOf('revocations');
  }

  async start(): Promise<void> {
    this.subscriber.on('message', (channel: string, message: string) => {
      if (channel === this.channel) this.learn(message);
    });
    // Messages published while the subscriber was disconnected are lost: reload after a reconnect.
    this.subscriber.on('ready', () => {
      this.reload().catch((error: Error) => this.log.warn(`reloading revoked tokens failed: ${error.message}`));
    });
    await this.subscriber.subscribe(this.channel);
    await this.reload();
  }

  isRevoked(jti: string): boolean {
    return this.revoked.has(jti);
  }

  /** Whether the session was signed out: every access token of it is revoked, not only the one that signed out. */
  isSessionEnded(sessionId: string): boolean {
    return this.endedSessions.has(sessionId);
  }

  /** Called with the session id of every sign-out, here or on another instance. */
  onSessionEnded(listener: (sessionId: string) => void): void {
    this.sessionListeners.push(listener);
  }

  /**
   * Revokes the token and ends its session until `sessionEndsAtMs` (when the last token the session
   * could have issued expires). Stored in Redis first (503 when it cannot be), then mirrored and
   * announced with its session.
   */
  async revoke(jti: string, sessionId: string, expiresAtMs: number, sessionEndsAtMs = expiresAtMs): Promise<void> {
    const now = Date.now();
    const ttl = Math.max(1, Math.ceil(expiresAtMs - now));
    const sessionTtl = Math.max(1, Math.ceil(sessionEndsAtMs - now));
    try {
      const results = await this.redis
        .multi()
        .set(this.keyOf(`revoked:${jti}`), String(expiresAtMs), 'PX', ttl)
        .set(this.keyOf(`revoked-session:${sessionId}`), String(sessionEndsAtMs), 'PX', sessionTtl)
        .exec();
      const failed = results === null ? new Error('the transaction was discarded') : results.find(([error]) => error)?.[0];
      if (failed) throw failed;
    } catch (error) {
      throw new DependencyUnavailableError('redis', `Redis is unavailable (${(error as Error).message}); the token was not revoked`);
    }
    this.revoked.set(jti, expiresAtMs);
    this.endedSessions.set(sessionId, sessionEndsAtMs);
    this.endSession(sessionId);
    const message = { jti, sid: sessionId, expires_at: expiresAtMs, session_ends_at: sessionEndsAtMs, origin: this.origin };
    this.redis.publish(this.channel, JSON.stringify(message)).catch((error: Error) => {
      this.log.warn(`announcing the revocation of ${jti} failed: ${error.message}`);
    });
  }

  /** Forgets revocations of tokens that have expired anyway. */
  prune(now = Date.now()): void {
    for (const [jti, expiresAt] of this.revoked) if (expiresAt <= now) this.revoked.delete(jti);
    for (const [sid, endsAt] of this.endedSessions) if (endsAt <= now) this.endedSessions.delete(sid);
  }

  get size(): number {
    return this.revoked.size;
  }

  private learn(message: string): void {
    try {
      const { jti, sid, expires_at, session_ends_at, origin } = JSON.parse(message) as Record<string, unknown>;
      if (origin === this.origin) return;
      if (typeof jti === 'string' && typeof expires_at === 'number') this.revoked.set(jti, expires_at);
      if (typeof sid === 'string' && typeof session_ends_at === 'number') this.endedSessions.set(sid, session_ends_at);
      if (typeof sid === 'string') this.endSession(sid);
    } catch {
      this.log.warn(`ignored a malformed revocation message: ${message.slice(0, 100)}`);
    }
  }

  private endSession(sessionId: string): void {
    for (const listener of this.sessionListeners) {
      try {
        listener(sessionId);
      } catch (error) {
        this.log.error('a sign-out listener failed', error);
      }
    }
  }

  private async reload(): Promise<void> {
    await this.reloadInto('revoked:', this.revoked);
    await this.reloadInto('revoked-session:', this.endedSessions);
  }

  private async reloadInto(kind: string, into: Map<string, number>): Promise<void> {
    const prefix = this.keyOf(kind);
    const pattern = `${escapeGlob(prefix)}*`;
    let cursor = '0';
    do {
      const [next, keys] = await this.redis.scan(cursor, 'MATCH', pattern, 'COUNT', 1000);
      cursor = next;
      if (keys.length === 0) continue;
      const values = await this.redis.mget(...keys);
      keys.forEach((key, i) => {
        const until = Number(values[i]);
        if (Number.isFinite(until)) into.set(key.slice(prefix.length), until);
      });
    } while (cursor !== '0');
  }
}

function escapeGlob(text: string): string {
  return text.replace(/[*?[\]\\]/g, '\\$&');
}
