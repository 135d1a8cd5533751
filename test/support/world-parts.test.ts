import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Pickle } from '@cucumber/messages';
import { Ledger } from '../../support/ledger';
import { ScenarioMetrics } from '../../support/metrics';
import { canRunAlongside } from '../../support/parallel';
import { redact, redactUrl } from '../../support/redact';

describe('the ledger of created resources', () => {
  it('releases newest first, keeps going past a failure and reports every failure', async () => {
    const ledger = new Ledger();
    const order: string[] = [];
    ledger.add('user u1', async () => void order.push('u1'));
    ledger.add('vm v1', async () => {
      order.push('v1');
      throw new Error('answered 500');
    });
    ledger.add('vm v2', async () => void order.push('v2'));
    assert.deepEqual(await ledger.releaseAll(), ['vm v1: answered 500']);
    assert.deepEqual(order, ['v2', 'v1', 'u1']);
    assert.equal(ledger.size, 0);
  });

  it('forgets a resource the scenario removed itself', async () => {
    const ledger = new Ledger();
    let released = false;
    ledger.add('failed database', async () => void (released = true));
    ledger.forget('failed database');
    await ledger.releaseAll();
    assert.equal(released, false);
  });
});

describe('redaction', () => {
  it('hides secrets at any depth and keeps everything else', () => {
    assert.deepEqual(redact({ username: 'ann', password: 'p', nested: [{ refreshToken: 'r', keep: 1 }], Authorization: 'Bearer x', empty: '' }), {
      username: 'ann',
      password: '***',
      nested: [{ refreshToken: '***', keep: 1 }],
      Authorization: '***',
      empty: '',
    });
  });

  it('hides the password of a connection URL', () => {
    assert.equal(redactUrl('postgresql://postgres:s3cret@db:5432/x'), 'postgresql://postgres:***@db:5432/x');
    assert.equal(redactUrl('redis://localhost:6379'), 'redis://localhost:6379');
  });
});

describe('scenario metrics', () => {
  it('refuses a figure that is not a finite number', () => {
    const metrics = new ScenarioMetrics();
    assert.throws(() => metrics.record('leader-election-time', Number.NaN), /must be a finite number/);
    metrics.record('leader-election-time', 412);
    assert.deepEqual(JSON.parse(metrics.toAttachment()).novacron_metrics, { 'leader-election-time': { value: 412, unit: 'ms' } });
  });
});

describe('parallel assignment', () => {
  const pickle = (...tags: string[]) => ({ tags: tags.map((name) => ({ name, astNodeId: name })) }) as unknown as Pickle;

  it('runs exclusive and performance scenarios alone, and others side by side', () => {
    assert.equal(canRunAlongside(pickle('@exclusive'), []), true);
    assert.equal(canRunAlongside(pickle('@exclusive'), [pickle('@smoke')]), false);
    assert.equal(canRunAlongside(pickle('@smoke'), [pickle('@performance')]), false);
    assert.equal(canRunAlongside(pickle('@smoke'), [pickle('@system')]), true);
  });
});
