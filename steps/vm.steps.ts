import assert from 'node:assert/strict';
import { Given, Then, When } from '@cucumber/cucumber';
import { expectFieldError, expectRefusal } from '../support/tasks/refusals';
import * as vms from '../support/tasks/vms';
import type { VmAction, VmState } from '../support/tasks/vms';
import type { NovaWorld } from '../support/world';

Given('a virtual machine {string}', async function (this: NovaWorld, alias: string) {
  await vms.createVm(this, alias);
});

Given('a running virtual machine {string}', async function (this: NovaWorld, alias: string) {
  await vms.vmInState(this, alias, 'running');
});

Given('a virtual machine {string} that is {state}', async function (this: NovaWorld, alias: string, state: 'running' | 'stopped' | 'paused') {
  await vms.vmInState(this, alias, state);
});

When('I request a virtual machine {string}', async function (this: NovaWorld, alias: string) {
  await vms.requestVm(this, alias);
});

When('I request another virtual machine {string}', async function (this: NovaWorld, alias: string) {
  await vms.requestAnother(this, alias);
});

When(
  'I request a virtual machine {string} with {int} CPUs, {int} MB of memory and {int} GB of disk',
  async function (this: NovaWorld, alias: string, cpus: number, memory: number, disk: number) {
    await vms.requestVm(this, alias, { cpu_shares: cpus, memory_mb: memory, disk_gb: disk });
  },
);

When(
  'I request a virtual machine named {string} with {int} CPUs, {int} MB of memory and {int} GB of disk',
  async function (this: NovaWorld, name: string, cpus: number, memory: number, disk: number) {
    await vms.submitVm(this, { name, cpu_shares: cpus, memory_mb: memory, disk_gb: disk });
  },
);

When('I {action} {string}', async function (this: NovaWorld, action: VmAction, alias: string) {
  await vms.actAndExpect(this, alias, action);
});

When('I try to {action} {string}', async function (this: NovaWorld, action: VmAction, alias: string) {
  await vms.act(this, alias, action);
});

When('I delete {string}', async function (this: NovaWorld, alias: string) {
  await vms.deleteVm(this, alias);
});

When('I look up a virtual machine that does not exist', async function (this: NovaWorld) {
  this.lastResponse = await this.actor.api.get(`/api/v1/vms/vm-00000000-0000-4000-8000-${this.runId}0000`);
});

Then('{string} is being created', function (this: NovaWorld, alias: string) {
  assert.equal(vms.vmNamed(this, alias).state, 'creating', `a new virtual machine should start in the creating state`);
});

Then('{string} is {state}', async function (this: NovaWorld, alias: string, state: VmState) {
  assert.equal(await vms.currentState(this, alias), state, `"${alias}" is not ${state}`);
});

Then('{string} is still {state}', async function (this: NovaWorld, alias: string, state: VmState) {
  assert.equal(await vms.currentState(this, alias), state, `"${alias}" changed state after a refused request`);
});

Then('{string} is running within {int} seconds', async function (this: NovaWorld, alias: string, seconds: number) {
  const elapsed = await vms.waitForState(this, alias, 'running', seconds * 1000);
  this.metrics.record('vm-ready-time', Math.round(elapsed));
});

Then(
  '{string} has {int} CPUs, {int} MB of memory and {int} GB of disk',
  async function (this: NovaWorld, alias: string, cpus: number, memory: number, disk: number) {
    const { data } = await vms.fetchVm(this, alias);
    assert.deepEqual(
      { cpus: data.cpu_shares, memory: data.memory_mb, disk: data.disk_gb },
      { cpus, memory, disk },
      `"${alias}" does not have the resources it was requested with`,
    );
  },
);

Then('the lifecycle history of {string} reads: {states}', async function (this: NovaWorld, alias: string, states: VmState[]) {
  assert.deepEqual(await vms.lifecycleStates(this, alias), states, `the lifecycle history of "${alias}" is not as expected`);
});

Then('{string} no longer exists', async function (this: NovaWorld, alias: string) {
  const response = await vms.fetchVm(this, alias);
  assert.equal(response.status, 404, `"${alias}" can still be read after it was deleted (${response.status})`);
  assert.deepEqual(await vms.vmsNamed(this, alias), [], `"${alias}" is still listed after it was deleted`);
});

Then('no virtual machine {string} exists', async function (this: NovaWorld, alias: string) {
  assert.deepEqual(await vms.vmsNamed(this, alias), [], `"${alias}" exists although its request was refused`);
});

Then('the request is refused because {string} is {state}', function (this: NovaWorld, alias: string, state: VmState) {
  const body = expectRefusal(this, 'conflict');
  assert.equal(body.current_state, state, `the refusal for "${alias}" should name its current state ${state}: ${JSON.stringify(body)}`);
});

Then('the request is refused as invalid, naming the {word}', function (this: NovaWorld, field: string) {
  const apiField = vms.VM_FIELDS[field];
  if (!apiField) throw new Error(`unknown field "${field}": expected one of ${Object.keys(vms.VM_FIELDS).join(', ')}`);
  expectFieldError(this, apiField);
});

Then('the request is refused because the name is already taken', async function (this: NovaWorld) {
  await vms.expectNameTaken(this, expectRefusal(this, 'conflict'));
});

Then('this scenario created no virtual machine', async function (this: NovaWorld) {
  const created = await vms.vmsOfScenario(this);
  assert.deepEqual(created.map((vm) => vm.name), [], 'an invalid request created a virtual machine');
});

Then(
  'the event stream announced {string} becoming {states}, in that order',
  async function (this: NovaWorld, alias: string, states: VmState[]) {
    await vms.expectAnnouncedStates(this, alias, states, 5000);
  },
);

When('I request {int} virtual machines at once', async function (this: NovaWorld, count: number) {
  await vms.requestBatch(this, count);
});

Then('all {int} are running within {int} seconds', async function (this: NovaWorld, count: number, seconds: number) {
  const { running, requested, laggards } = await vms.batchRunning(this, seconds * 1000);
  this.metrics.record('vm-creation-success-rate', running / requested, 'ratio');
  assert.equal(requested, count, `${requested} machines were requested`);
  assert.equal(running, count, `only ${running} of ${count} machines are running; not running: ${laggards.join(', ')}`);
});
