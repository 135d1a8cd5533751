import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';

const ROOT = join(__dirname, '..', '..');
const reportsDir = mkdtempSync(join(tmpdir(), 'novacron-profiles-'));
after(() => rmSync(reportsDir, { recursive: true, force: true }));

interface Profile {
  retry?: number;
  format: (string | [string, string])[];
}

/** The profiles of cucumber.js as cucumber-js with these arguments and variables would read them. */
function profiles(env: NodeJS.ProcessEnv, args: string[] = []): Record<string, Profile> {
  const script = `process.argv.push(...${JSON.stringify(args)}); process.stdout.write(JSON.stringify(require('./cucumber.js')))`;
  const output = execFileSync(process.execPath, ['-e', script], { cwd: ROOT, env: { ...process.env, NOVACRON_REPORTS_DIR: reportsDir, ...env }, encoding: 'utf8' });
  return JSON.parse(output) as Record<string, Profile>;
}

const files = (profile: Profile) => profile.format.filter((format): format is [string, string] => Array.isArray(format)).map(([, file]) => file);

describe('the cucumber profiles', () => {
  it('retry a failed scenario once in the ci profile, NOVACRON_RETRY times when set, and never elsewhere', () => {
    const env = { NOVACRON_RETRY: undefined };
    assert.equal(profiles(env).ci?.retry, 1);
    assert.equal(profiles({ NOVACRON_RETRY: '0' }).ci?.retry, 0);
    assert.equal(profiles({ NOVACRON_RETRY: '3' }).ci?.retry, 3);
    for (const [name, profile] of Object.entries(profiles({ NOVACRON_RETRY: '3' }))) {
      if (name !== 'ci') assert.equal(profile.retry, undefined, `the ${name} profile retries`);
    }
  });

  it('write a dry run into a folder of its own, never over the last run', () => {
    assert.deepEqual(files(profiles({}).default!), [
      join(reportsDir, 'messages.ndjson'),
      join(reportsDir, 'cucumber.json'),
      join(reportsDir, 'junit', 'results.xml'),
      join(reportsDir, 'usage.json'),
    ]);
    for (const flag of ['--dry-run', '-d']) {
      for (const file of files(profiles({}, [flag]).default!)) assert.ok(file.startsWith(join(reportsDir, 'dry-run')), `${flag}: ${file}`);
    }
  });
});
