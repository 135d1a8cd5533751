import assert from 'node:assert/strict';
import { Given, Then, When } from '@cucumber/cucumber';
import * as dashboard from '../support/tasks/dashboard';
import * as realtime from '../support/tasks/realtime';
import * as sessions from '../support/tasks/sessions';
import * as vms from '../support/tasks/vms';
import type { VmAction, VmState } from '../support/tasks/vms';
import type { NovaWorld } from '../support/world';

Given('{int} virtual machines of mine', async function (this: NovaWorld, count: number) {
  await dashboard.createMachines(this, count);
});

Given(
  '{int} running virtual machines and {int} stopped virtual machine(s) of mine',
  async function (this: NovaWorld, running: number, stopped: number) {
    await dashboard.createMachines(this, running, stopped);
  },
);

When('I read my machines {int} to a page', async function (this: NovaWorld, pageSize: number) {
  await dashboard.readPages(this, pageSize);
});

Then('I get {int} pages holding all {int} machines, each exactly once', function (this: NovaWorld, pages: number, machines: number) {
  dashboard.expectPaging(this, pages, machines);
});

Then('every page states the same total of {int}', function (this: NovaWorld, total: number) {
  dashboard.expectTotals(this, total);
});

When('I filter my machines by the state {state}', async function (this: NovaWorld, state: VmState) {
  await dashboard.filterByState(this, state);
});

Then('I see exactly the {int} {state} machine(s)', function (this: NovaWorld, count: number, state: VmState) {
  dashboard.expectFiltered(this, count, state);
});

When('I open the overview of my machines', async function (this: NovaWorld) {
  await dashboard.openOverview(this);
});

Then('it counts {int} machines: {int} running and {int} stopped', function (this: NovaWorld, total: number, running: number, stopped: number) {
  dashboard.expectOverview(this, total, { running, stopped });
});

When(
  'I submit a new user account with an invalid email address, a 3-character password and an unknown role',
  async function (this: NovaWorld) {
    await dashboard.submitFaultyUserForm(this);
  },
);

Then('the form is refused with a message for the email, the password and the role', function (this: NovaWorld) {
  dashboard.expectFieldErrors(this, ['email', 'password', 'role']);
});

When('my connection drops', function (this: NovaWorld) {
  realtime.tab(this, 'first').drop();
});

When('I reconnect', async function (this: NovaWorld) {
  await realtime.tab(this, 'first').reconnect();
});

Then('no event was delivered twice', function (this: NovaWorld) {
  realtime.expectNoDuplicates(this);
});

When(
  'someone connects to the event stream {}',
  async function (this: NovaWorld, credentials: 'without signing in' | 'with a made-up session' | 'with a session that has ended') {
    await realtime.connectWith(this, credentials);
  },
);

Then('the connection is refused', function (this: NovaWorld) {
  realtime.expectConnectionRefused(this);
});

When('the user signs in with their user name', async function (this: NovaWorld) {
  const account = sessions.accountOfScenario(this);
  sessions.sessions(this).signIns.push(await sessions.signInRequest(this, { username: account.username, password: account.password }));
});

When('the user signs in with their email address', async function (this: NovaWorld) {
  const account = sessions.accountOfScenario(this);
  sessions.sessions(this).signIns.push(await sessions.signInRequest(this, { email: account.email, password: account.password }));
});

Then('both sign-ins open a session for the same user', async function (this: NovaWorld) {
  const account = sessions.accountOfScenario(this);
  for (const signIn of sessions.sessions(this).signIns) {
    assert.equal(signIn.status, 200, `a sign-in was refused (${signIn.status})`);
    await sessions.expectSessionWorks(this, signIn.data.token, account.id);
  }
});

When('someone signs in to it with a wrong password', async function (this: NovaWorld) {
  const account = sessions.accountOfScenario(this);
  this.lastResponse = await sessions.signInRequest(this, { username: account.username, password: 'not-the-password' });
});

Then('the sign-in is refused with the same message as for an unknown user', async function (this: NovaWorld) {
  const wrongPassword = this.lastResponse;
  const unknownUser = await sessions.signInRequest(this, { username: this.unique('nobody'), password: 'not-the-password' });
  assert.equal(wrongPassword?.status, 401, `a wrong password answered ${wrongPassword?.status}`);
  assert.equal(unknownUser.status, 401, `an unknown user answered ${unknownUser.status}`);
  assert.deepEqual(wrongPassword?.data, unknownUser.data, 'the refusals differ, telling an attacker which user names exist');
});

Given('I have the dashboard open in two tabs', async function (this: NovaWorld) {
  await realtime.openTabs(this, 2);
});

Then("the second tab's live updates stop", async function (this: NovaWorld) {
  await realtime.tab(this, 'second').waitClosedByServer(2000);
});

When('I {action} {string} from the {word} tab', async function (this: NovaWorld, action: VmAction, alias: string, _tab: string) {
  this.domain('tab-action', () => ({ at: performance.now() }));
  await vms.actAndExpect(this, alias, action);
});

Then('both tabs show {string} as {state} within {int} second(s)', async function (this: NovaWorld, alias: string, state: VmState, seconds: number) {
  const { at } = this.state.get('tab-action') as { at: number };
  const slowest = await realtime.expectTabsShow(this, alias, state, seconds * 1000, at);
  this.metrics.record('tab-sync-time', Math.round(slowest));
});

Given('I follow the real-time event stream for {stream topic} events only', async function (this: NovaWorld, topic: realtime.TopicWord) {
  await realtime.followTopic(this, topic);
});

Then('the subscriber to storage events was told about the volume {string} and about nothing but storage', async function (this: NovaWorld, alias: string) {
  await realtime.expectOnlyStorage(this, alias);
});

Then('the subscriber to machine events was told about {string} and about nothing but machines', async function (this: NovaWorld, alias: string) {
  await realtime.expectOnlyMachines(this, alias);
});
