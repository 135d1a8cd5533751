import assert from 'node:assert/strict';
import { Then, When } from '@cucumber/cucumber';
import { NotImplementedError } from '../support/capabilities';
import { apiAreasOf, matrixProblems, matrixTable, testSupportOf, tryEveryOperation, type MatrixCell } from '../support/permissions/matrix';
import type { Area } from '../support/permissions/probe';
import type { NovaWorld } from '../support/world';

function cells(world: NovaWorld): MatrixCell[] {
  const tried = world.state.get('permission matrix') as MatrixCell[] | undefined;
  if (!tried) throw new Error('no operation was tried in this scenario');
  return tried;
}

When('every role, and someone not signed in, tries every operation on {permission area}', async function (this: NovaWorld, area: Area): Promise<'skipped' | undefined> {
  const unmet = this.suite.gate.takeUpTestSupport(testSupportOf(this, area));
  if (unmet) return this.notApplicable(unmet);
  for (const apiArea of apiAreasOf(this, area)) {
    const missing = this.suite.gate.lacks(apiArea);
    if (missing) throw new NotImplementedError(`the ${apiArea} API`, missing);
  }
  const tried = await tryEveryOperation(this, area);
  this.state.set('permission matrix', tried);
  this.attach(matrixTable(tried), 'text/markdown');
  return undefined;
});

Then('each call below the operation\'s lowest role is refused and changes nothing', function (this: NovaWorld) {
  const problems = matrixProblems(cells(this).filter((cell) => cell.expected !== 'allowed'));
  if (problems.length) assert.fail(`${problems.length} call(s) should have been refused without changing anything:\n${problems.join('\n')}`);
});

Then('each call from that role up is answered as the contract promises and takes effect', function (this: NovaWorld) {
  const problems = matrixProblems(cells(this).filter((cell) => cell.expected === 'allowed'));
  if (problems.length) assert.fail(`${problems.length} call(s) should have been allowed, with their effect:\n${problems.join('\n')}`);
});
