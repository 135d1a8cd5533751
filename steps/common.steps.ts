import { Given, Then } from '@cucumber/cucumber';
import { signInAs } from '../support/tasks/accounts';
import { expectRefusal } from '../support/tasks/refusals';
import type { NovaWorld, Role } from '../support/world';

Given('I am signed in as a(n) {role}', async function (this: NovaWorld, role: Role) {
  await signInAs(this, role);
});

Given('I follow the real-time event stream', async function (this: NovaWorld) {
  await this.openStream(this.actor.token);
});

Then('the request is refused because the service is unavailable', function (this: NovaWorld) {
  expectRefusal(this, 'unavailable');
});

Then('I am told that it does not exist', function (this: NovaWorld) {
  expectRefusal(this, 'unknown');
});
