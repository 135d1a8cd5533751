import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { ESLint } from 'eslint';

const ROOT = join(__dirname, '..', '..');

// The project's own eslint.config.mjs, as `npm run lint` loads it. The planted files exist only
// in memory, so the type-aware rules (which need each file in the TypeScript project) are switched
// off for them; the walls rule and everything else apply as in a real run.
const PLANTED = ['steps/**/planted*.ts', 'support/**/planted*.ts', 'reference/**/planted*.ts', 'variables/**/planted*.ts'];
const eslint = new ESLint({
  cwd: ROOT,
  overrideConfig: {
    files: PLANTED,
    languageOptions: { parserOptions: { projectService: false } },
    rules: { '@typescript-eslint/no-floating-promises': 'off', '@typescript-eslint/no-misused-promises': 'off' },
  },
});

async function lint(file: string, source: string): Promise<string[]> {
  const [result] = await eslint.lintText(source, { filePath: join(ROOT, file) });
  assert.ok(result, `no lint result for ${file}`);
  return result.messages.map((message) => `${message.ruleId ?? 'parser'}: ${message.message}`);
}

describe('the walls between steps, support and the reference (npm run lint)', () => {
  it('fails a step that imports the reference', async () => {
    const messages = await lint('steps/planted.ts', "import { FAULT_CATALOG } from '../reference/faults';\nexport const catalog = FAULT_CATALOG;\n");
    assert.deepEqual(messages, [
      'walls/layers: steps/ must not import reference/ ("../reference/faults"): steps talk to the target through support, never to the embedded reference',
    ]);
  });

  it('fails the reference importing the suite, however deep the file and whatever the import form', async () => {
    const source = [
      "import { getConfig } from '../../support/config';",
      "export { WORLD } from '../../steps/common';",
      "export async function later(): Promise<unknown> { return import('../../scripts/cucumber'); }",
      "export const config = getConfig;",
      '',
    ].join('\n');
    const messages = await lint('reference/core/planted.ts', source);
    assert.equal(messages.length, 3, messages.join('\n'));
    assert.match(messages[0] ?? '', /^walls\/layers: reference\/ must not import support\/ \("\.\.\/\.\.\/support\/config"\)/);
    assert.match(messages[1] ?? '', /reference\/ must not import steps\//);
    assert.match(messages[2] ?? '', /reference\/ must not import scripts\//);
  });

  it('fails support importing steps or the reference', async () => {
    const messages = await lint('support/load/planted.ts', "import '../../steps/load';\nimport { FAULT_CATALOG } from '../../reference/faults';\nexport const catalog = FAULT_CATALOG;\n");
    assert.equal(messages.length, 2, messages.join('\n'));
    assert.match(messages[0] ?? '', /support\/ must not import steps\//);
    assert.match(messages[1] ?? '', /support\/ must not import reference\//);
  });

  it("fails the variables' package importing the reference or the suite", async () => {
    const messages = await lint('variables/planted.ts', "import '../reference/faults';\nimport '../support/config';\n");
    assert.equal(messages.length, 2, messages.join('\n'));
    assert.match(messages[0] ?? '', /^walls\/layers: variables\/ must not import reference\//);
    assert.match(messages[1] ?? '', /variables\/ must not import support\//);
  });

  it('lets each layer import what it builds on, and a folder only named like a layer', async () => {
    assert.deepEqual(await lint('steps/planted.ts', "import { getConfig } from '../support/config';\nexport const config = getConfig;\n"), []);
    assert.deepEqual(await lint('reference/core/planted.ts', "import { FAULT_CATALOG } from '../faults';\nexport const catalog = FAULT_CATALOG;\n"), []);
    assert.deepEqual(await lint('support/planted.ts', "import { thing } from './model/reference';\nexport const used = thing;\n"), []);
  });
});
