import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ISSUER, JwtCodec, type AccessClaims } from '../../reference/core/auth/jwt';
import { hashPassword, verifyPassword } from '../../reference/core/auth/passwords';

const claims: AccessClaims = { iss: ISSUER, sub: 'usr-1', role: 'admin', jti: 'jti-1', sid: 'sid-1', iat: 1_700_000_000, exp: 1_700_000_900 };

function base64url(value: unknown): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}

describe('HS256 tokens', () => {
  const codec = new JwtCodec('a-secret-of-sufficient-length');

  it('verifies what it signed and returns the claims', () => {
    const token = codec.sign(claims);
    assert.match(token, /^[\w-]+\.[\w-]+\.[\w-]+$/);
    assert.deepEqual(codec.verify(token), { ok: true, claims });
    const header = JSON.parse(Buffer.from(token.split('.')[0], 'base64url').toString());
    assert.deepEqual(header, { alg: 'HS256', typ: 'JWT' });
  });

  it('refuses a token signed with another secret', () => {
    const token = new JwtCodec('another-secret-of-some-length').sign(claims);
    assert.deepEqual(codec.verify(token), { ok: false, reason: 'the token signature is invalid' });
  });

  it('refuses a token whose payload was changed', () => {
    const [header, , signature] = codec.sign(claims).split('.');
    const forged = `${header}.${base64url({ ...claims, role: 'admin', sub: 'usr-2' })}.${signature}`;
    assert.equal(codec.verify(forged).ok, false);
  });

  it('refuses alg "none" and anything that is not a three-part JWT', () => {
    const unsigned = `${base64url({ alg: 'none', typ: 'JWT' })}.${base64url(claims)}.`;
    assert.equal(codec.verify(unsigned).ok, false);
    assert.equal(codec.verify('not-a-token').ok, false);
    assert.equal(codec.verify('a.b.c.d').ok, false);
  });

  it('refuses claims without the required fields', () => {
    const { jti: _jti, ...incomplete } = claims;
    const token = codec.sign(incomplete as AccessClaims);
    assert.deepEqual(codec.verify(token), { ok: false, reason: 'the token claims are incomplete' });
  });
});

describe('password hashes', () => {
  it('verify the right password only, with a salt per hash', async () => {
    const first = await hashPassword('correct horse');
    const second = await hashPassword('correct horse');
    assert.match(first, /^scrypt\$\d+\$\d+\$\d+\$[\w-]+\$[\w-]+$/);
    assert.notEqual(first, second);
    assert.equal(await verifyPassword('correct horse', first), true);
    assert.equal(await verifyPassword('Correct horse', first), false);
    assert.equal(await verifyPassword('correct horse', 'plain-text'), false);
  });
});
