import { defineParameterType, Given, Then, When } from '@cucumber/cucumber';
import { getConfig } from '../support/config';
import type { DashboardView } from '../support/tasks/load-profiles';
import * as scaling from '../support/tasks/performance/autoscaling-under-load';
import * as capacity from '../support/tasks/performance/capacity-search';
import * as resources from '../support/tasks/performance/control-plane-resources';
import * as dashboardLoad from '../support/tasks/performance/dashboard-load';
import { userLoadTimeoutMs } from '../support/tasks/performance/durations';
import * as budgets from '../support/tasks/performance/frontend-budgets';
import * as fixtures from '../support/tasks/performance/load-fixtures';
import * as thresholds from '../support/tasks/performance/load-thresholds';
import * as vmOperations from '../support/tasks/performance/vm-operations';
import * as fanOut from '../support/tasks/performance/websocket-fanout';
import type { NovaWorld } from '../support/world';

const UNIT_MS: Record<string, number> = { millisecond: 1, milliseconds: 1, second: 1000, seconds: 1000, minute: 60_000, minutes: 60_000 };

defineParameterType({
  name: 'duration',
  regexp: /\d+(?:\.\d+)? (?:milliseconds?|seconds?|minutes?)/,
  transformer: (text: string) => {
    const [amount, unit] = text.split(' ');
    return Number(amount) * UNIT_MS[unit];
  },
});

defineParameterType({
  name: 'percentage',
  regexp: /\d+(?:\.\d+)?%/,
  transformer: (text: string) => Number(text.slice(0, -1)) / 100,
});

defineParameterType({
  name: 'view',
  regexp: /virtual machine list|virtual machine details|virtual machine history|dashboard summary|health overview|my account/,
  transformer: (view: string) => view,
});

// Loads that run longer than the default step timeout get the time they need.
const LONG = { timeout: userLoadTimeoutMs(getConfig()) };

Given('{int} virtual machines are on the dashboard', { timeout: 120_000 }, async function (this: NovaWorld, count: number) {
  await fixtures.seedVms(this, count);
});

// Concurrent VM operations

When('I request {int} virtual machines, {int} at a time', LONG, async function (this: NovaWorld, count: number, concurrency: number) {
  await vmOperations.createVmsUnderLoad(this, count, concurrency);
});

Then('all {int} virtual machines are running within {duration}', LONG, async function (this: NovaWorld, count: number, withinMs: number) {
  await vmOperations.expectCreatedVmsRunning(this, count, withinMs);
});

Then('the total time and the throughput in virtual machines per second are reported', async function (this: NovaWorld) {
  await vmOperations.reportVmThroughput(this);
});

When('{int} virtual machines are each created, stopped, started and deleted, {int} at a time', LONG, async function (this: NovaWorld, count: number, concurrency: number) {
  await vmOperations.runLifecycleMix(this, count, concurrency);
});

Then('every operation of the mix succeeds', function (this: NovaWorld) {
  vmOperations.expectEveryOperationSucceeded(this);
});

Then('the {int}th percentile response time of each kind of operation is below {duration}', function (this: NovaWorld, percentile: number, limitMs: number) {
  vmOperations.expectOperationPercentiles(this, percentile, limitMs);
});

Then('none of the {int} virtual machines is left', async function (this: NovaWorld, count: number) {
  await vmOperations.expectNoVmLeft(this, count);
});

// API load, sustained load, user load, benchmarks

When("{int} concurrent connections make {int} requests across the dashboard's views", LONG, async function (this: NovaWorld, concurrency: number, requests: number) {
  await dashboardLoad.loadDashboard(this, requests, concurrency);
});

When('{int} concurrent connections request the {view} {int} times', LONG, async function (this: NovaWorld, concurrency: number, view: DashboardView, requests: number) {
  await dashboardLoad.loadDashboard(this, requests, concurrency, [view]);
});

When(
  "the dashboard's views receive {int} requests per second for {duration} while the control plane's resources are watched",
  LONG,
  async function (this: NovaWorld, rate: number, durationMs: number) {
    await dashboardLoad.sustainLoad(this, rate, durationMs);
  },
);

Given('the configured number of users, each with an account of their own', { timeout: 120_000 }, async function (this: NovaWorld) {
  await dashboardLoad.prepareUsers(this);
});

When("they use the dashboard's views for the configured duration, ramping up and pausing as configured", LONG, async function (this: NovaWorld) {
  await dashboardLoad.runConfiguredUserLoad(this);
});

Then('at least {percentage} of the requests succeed', function (this: NovaWorld, share: number) {
  thresholds.expectSuccessRate(this, share);
});

Then('at most {percentage} of the requests fail', function (this: NovaWorld, share: number) {
  thresholds.expectFailureRate(this, share);
});

Then('the average response time is below {duration}', function (this: NovaWorld, limitMs: number) {
  thresholds.expectAverageBelow(this, limitMs);
});

Then('the {int}th percentile response time is below {duration}', function (this: NovaWorld, percentile: number, limitMs: number) {
  thresholds.expectPercentileBelow(this, percentile, limitMs);
});

Then('the throughput is at least {int} requests per second', function (this: NovaWorld, perSecond: number) {
  thresholds.expectThroughputAtLeast(this, perSecond);
});

Then("every view of the dashboard answered", function (this: NovaWorld) {
  dashboardLoad.expectEveryViewAnswered(this);
});

Then('at least {percentage} of the target rate is achieved', function (this: NovaWorld, share: number) {
  thresholds.expectTargetRateAchieved(this, share);
});

Then('the control plane used less than {percentage} of a processor core over the run', function (this: NovaWorld, share: number) {
  resources.expectCpuBelow(this, share);
});

Then("its peak memory stayed below {percentage} of the host's memory", function (this: NovaWorld, share: number) {
  resources.expectPeakMemoryBelow(this, share);
});

Then('its memory grew by less than {int} MB over the run', function (this: NovaWorld, megabytes: number) {
  resources.expectMemoryGrowthBelow(this, megabytes);
});

// Stress

Given(
  'the service limits are: at most {percentage} of requests fail and the {int}th percentile response time stays below {duration}',
  function (this: NovaWorld, share: number, percentile: number, limitMs: number) {
    if (percentile !== 99) throw new Error(`service limits: got the ${percentile}th percentile, expected the 99th (the capacity search watches p99)`);
    capacity.setServiceLimits(this, share, limitMs);
  },
);

When('the concurrent requests to the virtual machine list double from {int} to {int}, {duration} at each step', LONG, async function (this: NovaWorld, from: number, to: number, stepMs: number) {
  await capacity.raiseConcurrency(this, from, to, stepMs);
});

Then('the maximum sustainable concurrency and throughput are reported', function (this: NovaWorld) {
  capacity.reportCapacity(this);
});

Then('at least {int} concurrent requests are sustained within the limits', function (this: NovaWorld, count: number) {
  capacity.expectSustainedConcurrency(this, count);
});

// WebSocket scaling

When('{int} dashboards connect to the real-time stream at once', { timeout: 120_000 }, async function (this: NovaWorld, count: number) {
  await fanOut.connectDashboards(this, count);
});

Given('{int} dashboards connected to the real-time stream', { timeout: 120_000 }, async function (this: NovaWorld, count: number) {
  await fanOut.connectDashboards(this, count);
  fanOut.expectAllConnected(this, count);
});

Then('all {int} dashboards are connected', function (this: NovaWorld, count: number) {
  fanOut.expectAllConnected(this, count);
});

Then('the {int}th percentile connection time is below {duration}', function (this: NovaWorld, percentile: number, limitMs: number) {
  fanOut.expectConnectPercentileBelow(this, percentile, limitMs);
});

When('{int} virtual machines are requested while they watch', { timeout: 120_000 }, async function (this: NovaWorld, count: number) {
  await fanOut.announceVms(this, count);
});

Then('every dashboard receives the announcement of each of them', function (this: NovaWorld) {
  fanOut.expectEveryDashboardInformed(this);
});

Then('the {int}th percentile delivery time is below {duration}', function (this: NovaWorld, percentile: number, limitMs: number) {
  fanOut.expectDeliveryPercentileBelow(this, percentile, limitMs);
});

When('they all disconnect', async function (this: NovaWorld) {
  await fanOut.disconnectDashboards(this);
});

Then('the control plane holds no connections for them within {duration}', async function (this: NovaWorld, withinMs: number) {
  await fanOut.expectConnectionsReleased(this, withinMs);
});

// Auto-scaling under load

defineParameterType({
  name: 'loaded resource',
  regexp: /processor|memory/,
  transformer: (resource: string) => resource,
});

Given('a scaling group of {int} machines that may grow to {int}', { timeout: 60_000 }, async function (this: NovaWorld, size: number, maxSize: number) {
  await scaling.createScalingGroup(this, size, maxSize);
});

When("the members' {loaded resource} use rises to {int}%", async function (this: NovaWorld, resource: scaling.LoadedResource, percent: number) {
  await scaling.loadGroup(this, resource, percent);
});

When("the members' use falls back to idle", async function (this: NovaWorld) {
  await scaling.idleGroup(this);
});

Then('the group decides to scale up because of its {loaded resource} within {duration}', async function (this: NovaWorld, resource: scaling.LoadedResource, withinMs: number) {
  await scaling.expectScaleUp(this, resource, withinMs);
});

Then('its new machine is running within {duration}', async function (this: NovaWorld, withinMs: number) {
  await scaling.expectNewMachineRunning(this, withinMs);
});

Then('the group shrinks back to {int} machines within {duration}', async function (this: NovaWorld, size: number, withinMs: number) {
  await scaling.expectShrinkBack(this, size, withinMs);
});

// The frontend's budgets

When('I open the dashboard and page through every virtual machine, {int} to a page', async function (this: NovaWorld, pageSize: number) {
  await budgets.openDashboardAndPage(this, pageSize);
});

Then("the dashboard's first screen had all its data within {duration}", function (this: NovaWorld, limitMs: number) {
  budgets.expectFirstScreenWithin(this, limitMs);
});

Then('the first page of the virtual machine list arrived within {duration}', function (this: NovaWorld, limitMs: number) {
  budgets.expectFirstPageWithin(this, limitMs);
});

Then('every further page arrived within {duration}', function (this: NovaWorld, limitMs: number) {
  budgets.expectEveryLaterPageWithin(this, limitMs);
});

Then('all {int} virtual machines had arrived within {duration}', function (this: NovaWorld, count: number, limitMs: number) {
  budgets.expectAllMachinesWithin(this, count, limitMs);
});
