import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { findBrowser, NO_BROWSER } from '../../support/browser';

const dir = mkdtempSync(join(tmpdir(), 'browser-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const none = async () => undefined;

function executable(name: string): string {
  const path = join(dir, name);
  writeFileSync(path, '#!/bin/sh\n');
  chmodSync(path, 0o755);
  return path;
}

describe('which browser the @browser scenarios drive', () => {
  it('NOVACRON_BROWSER_PATH first, refused in one line when it names nothing', async () => {
    const given = executable('my-chrome');
    assert.deepEqual(await findBrowser(given, { PATH: '' }, none).then((choice) => choice?.source), 'NOVACRON_BROWSER_PATH');
    await assert.rejects(findBrowser(join(dir, 'missing'), {}, none), /^Error: NOVACRON_BROWSER_PATH=".*missing" is not valid: expected the path of a Chromium or Chrome executable$/);
  });

  it('then the Chromium installed with the suite, then one on PATH', async () => {
    const bundled = async () => ({ path: '/opt/chromium', args: [], source: '@sparticuz/chromium' });
    const onPath = executable('chromium');
    assert.equal((await findBrowser(undefined, { PATH: dir }, bundled))?.source, '@sparticuz/chromium');
    assert.deepEqual(await findBrowser(undefined, { PATH: `/nonexistent:${dir}` }, none).then((choice) => [choice?.path, choice?.source]), [onPath, 'chromium on PATH']);
  });

  it('none at all: undefined, and the scenarios say how to get one', async () => {
    assert.equal(await findBrowser(undefined, { PATH: '/nonexistent' }, none), undefined);
    assert.match(NO_BROWSER, /npm install.*NOVACRON_BROWSER_PATH/);
  });

  it('the Chromium installed with the suite is found here (its binary unpacked on first use)', async () => {
    const choice = await findBrowser(undefined, { PATH: '' });
    assert.equal(choice?.source, '@sparticuz/chromium');
  });
});
