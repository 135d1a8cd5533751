import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import { DependencyUnavailableError } from '../../http/errors';
import type { Logger } from '../../log';

/**
 * Revoked access tokens. Redis holds `<prefix>revoked:<jti>` with a TTL of the token's remaining
 * lifetime (the durable, shared record); every instance mirrors them in memory, learns new ones
 * from the `<prefix>revocations` channel, and reloads them after a reconnect, so checking a token
 * costs no Redis round trip.
 */
export class Revocations {
  private readonly revoked = new Map<string, number>();
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

  /** Called with the session id of every sign-out, here or on another instance. */
  onSessionEnded(listener: (sessionId: string) => void): void {
    this.sessionListeners.push(listener);
  }

  /** Stored in Redis first (503 when it cannot be), then mirrored and announced with its session. */
  async revoke(jti: string, sessionId: string, expiresAtMs: number): Promise<void> {
    const ttl = Math.max(1, Math.ceil(expiresAtMs - Date.now()));
    try {
      await this.redis.set(this.keyOf(`revoked:${jti}`), String(expiresAtMs), 'PX', ttl);
    } catch (error) {
      throw new DependencyUnavailableError('redis', `Redis is unavailable (${(error as Error).message}); the token was not revoked`);
    }
    this.revoked.set(jti, expiresAtMs);
    this.endSession(sessionId);
    this.redis.publish(this.channel, JSON.stringify({ jti, sid: sessionId, expires_at: expiresAtMs, origin: this.origin })).catch((error: Error) => {
      this.log.warn(`announcing the revocation of ${jti} failed: ${error.message}`);
    });
  }

  /** Forgets revocations of tokens that have expired anyway. */
  prune(now = Date.now()): void {
    for (const [jti, expiresAt] of this.revoked) if (expiresAt <= now) this.revoked.delete(jti);
  }

  get size(): number {
    return this.revoked.size;
  }

  private learn(message: string): void {
    try {
      const { jti, sid, expires_at, origin } = JSON.parse(message) as { jti: unknown; sid: unknown; expires_at: unknown; origin: unknown };
      if (origin === this.origin) return;
      if (typeof jti === 'string' && typeof expires_at === 'number') this.revoked.set(jti, expires_at);
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
    const pattern = `${escapeGlob(this.keyOf('revoked:'))}*`;
    let cursor = '0';
    do {
      const [next, keys] = await this.redis.scan(cursor, 'MATCH', pattern, 'COUNT', 1000);
      cursor = next;
      if (keys.length === 0) continue;
      const values = await this.redis.mget(...keys);
      keys.forEach((key, i) => {
        const expiresAt = Number(values[i]);
        if (Number.isFinite(expiresAt)) this.revoked.set(key.slice(this.keyOf('revoked:').length), expiresAt);
      });
    } while (cursor !== '0');
  }
}

function escapeGlob(text: string): string {
  return text.replace(/[*?[\]\\]/g, '\\$&');
}
