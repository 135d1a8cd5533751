import { DataTable, Given, Then, When } from '@cucumber/cucumber';
import * as autoscaling from '../support/tasks/autoscaling';
import type { NovaWorld } from '../support/world';

Given('a scaling group {string} with this policy:', async function (this: NovaWorld, alias: string, policy: DataTable) {
  await autoscaling.createGroup(this, alias, autoscaling.policyFromTable(policy.raw()));
});

Given('the members of {string} have run at {int}% CPU for {float} seconds', async function (this: NovaWorld, alias: string, cpu: number, seconds: number) {
  await autoscaling.runFor(this, alias, { cpu_usage: cpu }, seconds);
});

When('the members of {string} run at {int}% CPU', async function (this: NovaWorld, alias: string, cpu: number) {
  await autoscaling.setLoad(this, alias, { cpu_usage: cpu });
});

When('the members of {string} run at {int}% CPU and {int}% memory', async function (this: NovaWorld, alias: string, cpu: number, memory: number) {
  await autoscaling.setLoad(this, alias, { cpu_usage: cpu, memory_usage: memory });
});

When('the members of {string} spike to {int}% CPU for {float} seconds', async function (this: NovaWorld, alias: string, cpu: number, seconds: number) {
  await autoscaling.spike(this, alias, cpu, seconds);
});

Then('{string} grows to {int} machines within {int} seconds', async function (this: NovaWorld, alias: string, size: number, seconds: number) {
  await autoscaling.expectResize(this, alias, size, 'grow', seconds * 1000);
});

Then('{string} grows to {int} machines within {int} seconds, because of its memory', async function (this: NovaWorld, alias: string, size: number, seconds: number) {
  await autoscaling.expectResize(this, alias, size, 'grow', seconds * 1000, 'memory');
});

Then('{string} shrinks to {int} machines within {int} seconds', async function (this: NovaWorld, alias: string, size: number, seconds: number) {
  await autoscaling.expectResize(this, alias, size, 'shrink', seconds * 1000);
});

Then('{string} stays at {int} machine(s) for {int} seconds', async function (this: NovaWorld, alias: string, size: number, seconds: number) {
  await autoscaling.expectStaysAt(this, alias, size, seconds * 1000);
});

Then('{string} made no scaling decision', async function (this: NovaWorld, alias: string) {
  await autoscaling.expectNoDecision(this, alias);
});

Then('every decision of {string} was to shrink', async function (this: NovaWorld, alias: string) {
  await autoscaling.expectOnly(this, alias, 'scale-down');
});

Then('{string} decides nothing more until {int} seconds after that', async function (this: NovaWorld, alias: string, seconds: number) {
  await autoscaling.expectQuietDuringCooldown(this, alias, seconds);
});

Then('{string} grows again within {int} seconds once the cooldown is over', async function (this: NovaWorld, alias: string, seconds: number) {
  await autoscaling.expectGrowsAgain(this, alias, seconds * 1000);
});

Then('the scale-up of {string} is announced on the event stream', async function (this: NovaWorld, alias: string) {
  await autoscaling.expectAnnounced(this, alias, 'scale-up');
});

Then('the history of the new machine in {string} records the scale-up', async function (this: NovaWorld, alias: string) {
  await autoscaling.expectNewMachineHistory(this, alias);
});
