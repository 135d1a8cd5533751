import assert from 'node:assert/strict';
import { Given, Then, When } from '@cucumber/cucumber';
import { signInAs } from '../support/tasks/accounts';
import * as ui from '../support/tasks/dashboard-ui';
import * as vms from '../support/tasks/vms';
import type { NovaWorld, Role } from '../support/world';

const SECOND = 1000;
// A thousand machines are made and deleted around the browser steps.
const LONG = { timeout: 180_000 };

Given('the dashboard is open', async function (this: NovaWorld) {
  return ui.openDashboard(this);
});

Given('an operator account', async function (this: NovaWorld) {
  await signInAs(this, 'operator');
});

Given('I am signed in to the dashboard as a(n) {role}', async function (this: NovaWorld, role: Role) {
  return ui.signInToDashboard(this, role);
});

Given('I am signed in to the dashboard as a(n) {role} in two tabs', async function (this: NovaWorld, role: Role) {
  return ui.signInToDashboard(this, role, 2);
});

When('I sign in to the dashboard without a user name or a password', async function (this: NovaWorld) {
  await ui.signInWithEmptyFields(this);
});

Then('the dashboard says {string} next to the user name field', async function (this: NovaWorld, message: string) {
  await ui.expectFieldMessage(this, 'user name', message);
});

Then('the dashboard says {string} next to the password field', async function (this: NovaWorld, message: string) {
  await ui.expectFieldMessage(this, 'password', message);
});

Then('the dashboard still asks me to sign in', async function (this: NovaWorld) {
  await ui.expectAskedToSignIn(this);
});

When('I sign in to the dashboard as the operator with a wrong password', async function (this: NovaWorld) {
  await ui.signInRefused(this, 'wrong password');
});

When('I sign in to the dashboard as someone who has no account', async function (this: NovaWorld) {
  await ui.signInRefused(this, 'no account');
});

Then('both refusals on the dashboard read the same and name both the user name and the password', function (this: NovaWorld) {
  ui.expectSameRefusals(this);
});

When('a virtual machine {string} is created without the dashboard', async function (this: NovaWorld, alias: string) {
  await ui.createWhileWatching(this, alias);
});

Then('the dashboard lists {string} within {int} second(s), without a reload', async function (this: NovaWorld, alias: string, seconds: number) {
  await ui.expectListed(this, alias, seconds * SECOND);
});

Then("the dashboard's overview counts every machine of the control plane within {int} second(s)", async function (this: NovaWorld, seconds: number) {
  await ui.expectOverviewCountsEverything(this, seconds * SECOND);
});

Given('the second tab of the dashboard lists {string} as running', async function (this: NovaWorld, alias: string) {
  await ui.watchMachine(this, alias, 'running', 1);
});

When('I stop {string} on the dashboard in the first tab', async function (this: NovaWorld, alias: string) {
  await ui.actOnMachine(this, alias, 'stop', 0);
});

Then('the second tab of the dashboard lists {string} as stopped within {int} second(s)', async function (this: NovaWorld, alias: string, seconds: number) {
  await ui.expectListedAs(this, alias, 'stopped', seconds * SECOND, 1);
});

When('I sign out of the dashboard in the second tab', async function (this: NovaWorld) {
  await ui.signOutInTab(this, 1);
});

Then('the first tab of the dashboard asks me to sign in within {int} second(s)', async function (this: NovaWorld, seconds: number) {
  await ui.expectAskedToSignIn(this, 0, seconds * SECOND);
});

Then('opening the dashboard again asks me to sign in', async function (this: NovaWorld) {
  await ui.expectNoSessionLeft(this);
});

Given('{string} has been stopped and started again', async function (this: NovaWorld, alias: string) {
  await vms.actAndExpect(this, alias, 'stop');
  await vms.actAndExpect(this, alias, 'start');
});

When('I open {string} on the dashboard', async function (this: NovaWorld, alias: string) {
  await ui.openMachineDetails(this, alias);
});

Then('the dashboard shows the details of {string} as the control plane has them', async function (this: NovaWorld, alias: string) {
  await ui.expectDetailsMatch(this, alias);
});

Then('the dashboard shows every step of the history of {string}, oldest first', async function (this: NovaWorld, alias: string) {
  await ui.expectHistoryInOrder(this, alias);
});

When("I choose the state {string} in the dashboard's machine list", async function (this: NovaWorld, state: string) {
  await ui.chooseState(this, state);
});

Then('the dashboard lists {string} among the stopped machines, and not {string}', async function (this: NovaWorld, listed: string, notListed: string) {
  await ui.expectOnlyInState(this, 'stopped', listed, notListed);
});

Given('{int} virtual machines of the scenario exist', LONG, async function (this: NovaWorld, count: number) {
  await ui.createManyMachines(this, count);
});

When('I open the dashboard and sign in as a(n) {role}', async function (this: NovaWorld, role: Role) {
  return ui.signInToDashboard(this, role);
});

Then("the dashboard's first screen appeared within {int} seconds", function (this: NovaWorld, seconds: number) {
  expectWithin(this, 'first screen', ui.budgets(this).firstScreenMs, seconds);
});

Then('the machine list appeared within {int} seconds of signing in', function (this: NovaWorld, seconds: number) {
  expectWithin(this, 'machine list after signing in', ui.budgets(this).listMs, seconds);
});

When("I list the scenario's machines on the dashboard, {int} to a page", async function (this: NovaWorld, perPage: number) {
  await ui.listManyMachines(this, perPage);
});

Then('the first {int} machines were shown within {int} seconds', function (this: NovaWorld, _count: number, seconds: number) {
  expectWithin(this, 'first page of machines', ui.budgets(this).firstPageMs, seconds);
});

When("I page through the scenario's machines on the dashboard", LONG, async function (this: NovaWorld) {
  await ui.pageThroughMachines(this);
});

Then('each page of the dashboard appeared within {int} seconds', function (this: NovaWorld, seconds: number) {
  const pages = ui.budgets(this).pageMs;
  assert.ok(pages.length > 0, 'no further page was shown');
  expectWithin(this, `slowest of ${pages.length} further pages`, Math.max(...pages), seconds);
});

Then('the dashboard showed each of the {int} machines exactly once', function (this: NovaWorld, count: number) {
  ui.expectEachShownOnce(this, count);
});

function expectWithin(world: NovaWorld, what: string, ms: number | undefined, seconds: number): void {
  assert.ok(ms !== undefined, `the ${what} was not measured`);
  world.log(`dashboard ${what}: ${Math.round(ms)} ms (budget ${seconds * SECOND} ms)`);
  assert.ok(ms <= seconds * SECOND, `the dashboard's ${what} took ${Math.round(ms)} ms, over its budget of ${seconds} s`);
}
