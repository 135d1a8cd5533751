import { createHmac, createSecretKey, timingSafeEqual, type KeyObject } from 'node:crypto';

/** The claims of a NovaCron access token. Times are seconds since the epoch (JWT NumericDate). */
export interface AccessClaims {
  iss: string;
  /** The user id. */
  sub: string;
  role: string;
  /** Token id: what logout revokes. */
  jti: string;
  /** Session id, shared by the tokens of one login and its refreshes. */
  sid: string;
  iat: number;
  exp: number;
}

export const ISSUER = 'novacron-reference';
const HEADER = Buffer.from(JSON.stringify({ alg: 'HS256', typ: 'JWT' })).toString('base64url');

export type VerifyResult = { ok: true; claims: AccessClaims } | { ok: false; reason: string };

/** HS256 JSON Web Tokens with node:crypto. Only tokens with exactly our header are accepted (no `alg: none`). */
export class JwtCodec {
  private readonly key: KeyObject;

  constructor(secret: string) {
    this.key = createSecretKey(Buffer.from(secret, 'utf8'));
  }

  sign(claims: AccessClaims): string {
    const payload = Buffer.from(JSON.stringify(claims)).toString('base64url');
    return `${HEADER}.${payload}.${this.signature(`${HEADER}.${payload}`)}`;
  }

  /** Checks the signature and the claims' shape; expiry is checked by the caller against its clock. */
  verify(token: string): VerifyResult {
    const firstDot = token.indexOf('.');
    const secondDot = token.indexOf('.', firstDot + 1);
    if (firstDot < 0 || secondDot < 0 || token.indexOf('.', secondDot + 1) >= 0) return { ok: false, reason: 'the token is not a JWT' };
    if (token.slice(0, firstDot) !== HEADER) return { ok: false, reason: 'the token was not issued by this server (unexpected header)' };
    const expected = Buffer.from(this.signature(token.slice(0, secondDot)));
    const given = Buffer.from(token.slice(secondDot + 1));
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return { ok: false, reason: 'the token signature is invalid' };
    let claims: AccessClaims;
    try {
      claims = JSON.parse(Buffer.from(token.slice(firstDot + 1, secondDot), 'base64url').toString('utf8')) as AccessClaims;
    } catch {
      return { ok: false, reason: 'the token payload is not JSON' };
    }
    if (
      claims?.iss !== ISSUER ||
      typeof claims.sub !== 'string' ||
      typeof claims.jti !== 'string' ||
      typeof claims.sid !== 'string' ||
      typeof claims.exp !== 'number' ||
      typeof claims.iat !== 'number'
    ) {
      return { ok: false, reason: 'the token claims are incomplete' };
    }
    return { ok: true, claims };
  }

  private signature(input: string): string {
    return createHmac('sha256', this.key).update(input).digest('base64url');
  }
}
