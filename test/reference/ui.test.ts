import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { TestReference } from './helpers';

describe('the dashboard of the reference (GET /)', () => {
  let plain: TestReference;
  let faulty: TestReference;
  before(async () => {
    plain = await TestReference.start('ui');
    faulty = await TestReference.start('ui-faults', { faults: ['dashboard-history-reversed'] });
  });
  after(async () => {
    await plain?.close();
    await faulty?.close();
  });

  it('serves the page, its script and its style sheet with their media types, without a session', async () => {
    const expected: Record<string, RegExp> = { '/': /^text\/html/, '/ui/app.js': /^text\/javascript/, '/ui/app.css': /^text\/css/, '/ui/faults.js': /^text\/javascript/ };
    for (const [path, type] of Object.entries(expected)) {
      const response = await fetch(`${plain.url}${path}`);
      assert.equal(response.status, 200, path);
      assert.match(response.headers.get('content-type') ?? '', type, path);
      assert.ok((await response.text()).length > 0, `${path} is empty`);
    }
    const page = await (await fetch(`${plain.url}/`)).text();
    for (const part of ['/ui/app.js', '/ui/app.css', '<label for="login">User name or email</label>', 'Sign in']) assert.ok(page.includes(part), `the page lacks ${part}`);
  });

  it("tells the page which of the dashboard's faults are on, and only those", async () => {
    const flags = async (reference: TestReference) => {
      const text = await (await fetch(`${reference.url}/ui/faults.js`)).text();
      return JSON.parse(/^export const FAULTS = (\{.*\});\n$/.exec(text)?.[1] ?? 'null') as Record<string, boolean>;
    };
    const none = await flags(plain);
    assert.ok(Object.keys(none).length >= 8 && Object.values(none).every((on) => on === false), JSON.stringify(none));
    const some = await flags(faulty);
    assert.deepEqual(Object.entries(some).filter(([, on]) => on).map(([key]) => key), ['historyReversed']);
  });

  it('answers another path under /ui/ as not found, in JSON like every other unknown path', async () => {
    const response = await fetch(`${plain.url}/ui/secrets.js`);
    assert.equal(response.status, 404);
    assert.match(response.headers.get('content-type') ?? '', /^application\/json/);
  });
});
