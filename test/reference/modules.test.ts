import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { modules as moduleFactories } from '../../reference/modules';
import { OptionError, parseOptions } from '../../reference/options';
import { selectModules } from '../../reference/server';
import { TestReference } from './helpers';

describe('NOVACRON_REF_MODULES', () => {
  it('is all modules by default, or the listed ones', () => {
    assert.equal(parseOptions({}).modules, undefined);
    assert.equal(parseOptions({ NOVACRON_REF_MODULES: 'all' }).modules, undefined);
    assert.deepEqual(parseOptions({ NOVACRON_REF_MODULES: ' health, auth ,vms,vms' }).modules, ['health', 'auth', 'vms']);
  });

  it('refuses a malformed list with one line naming the variable and what is expected', () => {
    assert.throws(() => parseOptions({ NOVACRON_REF_MODULES: 'health;vms' }), (error: Error) => {
      assert.ok(error instanceof OptionError);
      assert.equal(error.message, 'NOVACRON_REF_MODULES="health;vms" is not valid: expected "all" or module names separated by commas, e.g. "health,auth,vms"');
      return true;
    });
  });

  it('refuses a module the reference does not have, listing the ones it has', () => {
    const every = moduleFactories.map((create) => create());
    assert.throws(() => selectModules(every, ['health', 'billing']), /NOVACRON_REF_MODULES="health,billing" is not valid: no module named "billing"; expected "all" or some of rate-limit, health, auth, accounts, vms/);
    assert.deepEqual(
      selectModules(every, ['vms', 'health']).map((module) => module.name),
      ['rate-limit', 'health', 'vms'],
      'the core that every request passes through always runs, in start order',
    );
  });
});

describe('a reference with some modules', () => {
  let reference: TestReference;
  before(async () => {
    reference = await TestReference.start('modules', { modules: ['health', 'auth', 'vms'] });
  });
  after(() => reference.close());

  it('answers the operations of the modules it runs, and "no such operation" for the others', async () => {
    const token = await reference.adminToken();
    assert.equal((await reference.request('GET', '/api/v1/vms', { token })).status, 200);
    assert.equal((await reference.request('GET', '/health')).status, 200);
    for (const path of ['/api/v1/users', '/api/v1/autoscaling/groups', '/api/v1/storage/volumes', '/api/v1/federation/members']) {
      assert.equal((await reference.request('GET', path, { token })).status, 404, path);
    }
  });
});
