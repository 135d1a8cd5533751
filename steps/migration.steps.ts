import { defineParameterType, Given, Then, When } from '@cucumber/cucumber';
import * as migration from '../support/tasks/migration';
import type { NovaWorld } from '../support/world';

defineParameterType({ name: 'node', regexp: /node-\d+/, transformer: (node: string) => node });

Given(
  'a running virtual machine {string} with {int} MB of memory on {node}',
  async function (this: NovaWorld, alias: string, memory: number, node: string) {
    await migration.runningVmOn(this, alias, memory, node);
  },
);

Given('{node} is fully booked', async function (this: NovaWorld, node: string) {
  await migration.fullyBook(this, node);
});

Given('{string} is kept at {int}% CPU and {int}% memory use', async function (this: NovaWorld, alias: string, cpu: number, memory: number) {
  await migration.keepUsage(this, alias, cpu, memory);
});

When('I migrate {string} to {node}', async function (this: NovaWorld, alias: string, node: string) {
  await migration.migrate(this, alias, node);
});

When('I try to migrate {string} to {node}', async function (this: NovaWorld, alias: string, node: string) {
  await migration.migrate(this, alias, node);
});

When(
  'I migrate {string} to {node} over a link capped at {int} Mbps while probing it continuously',
  async function (this: NovaWorld, alias: string, node: string, mbps: number) {
    await migration.migrateWhileProbing(this, alias, node, mbps);
  },
);

When('I migrate {string} to {node} and wait until it completes', async function (this: NovaWorld, alias: string, node: string) {
  await migration.migrateAndWait(this, alias, node);
});

Then('the migration of {string} is accepted', function (this: NovaWorld, alias: string) {
  migration.expectAccepted(this, alias);
});

Then(
  'the migration of {string} reports its progress and completes within {int} seconds',
  async function (this: NovaWorld, alias: string, seconds: number) {
    await migration.expectProgressToCompletion(this, alias, seconds * 1000);
  },
);

Then('{string} is running on {node}', async function (this: NovaWorld, alias: string, node: string) {
  await migration.expectRunningOn(this, alias, node);
});

Then(
  '{string} answered every probe during the preparing, pre-copy, stop-and-copy and switchover phases',
  function (this: NovaWorld, alias: string) {
    migration.expectAnsweredInEveryPhase(this, alias);
  },
);

Then(
  '{string} was answered by {node} before the switchover and by {node} from then on',
  function (this: NovaWorld, alias: string, source: string, target: string) {
    migration.expectAnsweredBySourceThenTarget(this, alias, source, target);
  },
);

Then('the migration is refused because {}', function (this: NovaWorld, reason: string) {
  migration.expectMigrationRefused(this, reason);
});

Then('{string} is still running on {node}', async function (this: NovaWorld, alias: string, node: string) {
  await migration.expectStillRunningOn(this, alias, node);
});

Then(
  'the history of {string} shows the migration from {node} to {node} starting and then completing',
  async function (this: NovaWorld, alias: string, source: string, target: string) {
    await migration.expectHistory(this, alias, source, target);
  },
);

Then('{string} reports {int}% CPU and {int}% memory use', async function (this: NovaWorld, alias: string, cpu: number, memory: number) {
  await migration.expectUsage(this, alias, cpu, memory);
});
