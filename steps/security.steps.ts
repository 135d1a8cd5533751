import assert from 'node:assert/strict';
import { Given, Then, When } from '@cucumber/cucumber';
import * as access from '../support/tasks/access';
import { signInAs } from '../support/tasks/accounts';
import { expectRefusal } from '../support/tasks/refusals';
import * as sessions from '../support/tasks/sessions';
import type { NovaWorld, Role } from '../support/world';

When('I try to {protected action}', async function (this: NovaWorld, action: string) {
  await access.attempt(this, action);
});

Then('I am allowed', async function (this: NovaWorld) {
  await access.expectAllowed(this);
});

Then('I am forbidden', function (this: NovaWorld) {
  expectRefusal(this, 'forbidden');
});

When('someone who has not signed in tries to list the virtual machines', async function (this: NovaWorld) {
  this.lastResponse = await this.suite.client().get('/api/v1/vms');
});

Then('they are asked to sign in', function (this: NovaWorld) {
  expectRefusal(this, 'unauthenticated');
});

Given('I am signed in as a(n) {role} with a session lasting {int} seconds', async function (this: NovaWorld, role: Role, seconds: number) {
  await signInAs(this, role, { expiresInSeconds: seconds });
});

When('{int} seconds pass', async function (this: NovaWorld, seconds: number) {
  await new Promise((resolve) => setTimeout(resolve, seconds * 1000));
});

When('I sign out', async function (this: NovaWorld) {
  await sessions.signOut(this);
});

Then('my old session no longer works', async function (this: NovaWorld) {
  await sessions.expectSessionRejected(this, sessions.oldToken(this));
});

Then('the ended session is recorded in the cache until it would have expired', async function (this: NovaWorld) {
  await sessions.expectRevocationInCache(this, sessions.oldToken(this));
});

When('I renew my session', async function (this: NovaWorld) {
  await sessions.renew(this);
});

Then('the renewed session works', async function (this: NovaWorld) {
  await sessions.expectSessionWorks(this, this.actor.token, this.actor.userId);
});

Then('the refresh token I used cannot be used again', async function (this: NovaWorld) {
  await sessions.expectRefreshTokenSpent(this);
});

When('I create a user account and read it back, alone and in the list', async function (this: NovaWorld) {
  const { answers, password } = await access.answersAboutAnAccount(this);
  this.domain('exposure', () => ({ answers, password }));
});

Then('no answer contains a password or a password hash', function (this: NovaWorld) {
  const { answers, password } = this.state.get('exposure') as Awaited<ReturnType<typeof access.answersAboutAnAccount>>;
  for (const answer of answers) {
    assert.deepEqual(access.secretsIn(answer.data, password), [], `${answer.operation} gives out secrets`);
  }
});

Given('a user account', async function (this: NovaWorld) {
  await sessions.createAccount(this);
});

When('someone tries to sign in to it with a wrong password {int} times', async function (this: NovaWorld, times: number) {
  await access.failSignIns(this, times);
});

Then('signing in with the right password is refused because the account is locked', async function (this: NovaWorld) {
  await access.expectLockedOut(this);
});

Given('my rate limit is {int} requests per minute', async function (this: NovaWorld, limit: number) {
  await access.setRateLimit(this, limit, 60);
});

When('I list the virtual machines {int} times', async function (this: NovaWorld, times: number) {
  await access.repeatList(this, times);
});

Then('the first {int} requests are answered and show how many requests remain', function (this: NovaWorld, allowed: number) {
  access.expectCountdown(this, allowed);
});

Then('the {int}th request is refused as too many, saying when to retry', function (this: NovaWorld, index: number) {
  access.expectThrottled(this, index);
});

Then('my request count is kept in the cache', async function (this: NovaWorld) {
  await access.expectCountInCache(this);
});
