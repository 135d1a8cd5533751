import { Given, Then, When } from '@cucumber/cucumber';
import * as health from '../support/tasks/health';
import type { HealthStatus } from '../support/tasks/health';
import type { NovaWorld } from '../support/world';

When('anyone checks the system health without signing in', async function (this: NovaWorld) {
  await health.readHealth(this);
});

Then('the system is {health}', function (this: NovaWorld, status: HealthStatus) {
  health.expectOverall(this, status);
});

Then('the health report covers the database, the cache, storage, compute and consensus, each healthy', function (this: NovaWorld) {
  health.expectComponents(this, ['database', 'cache', 'storage', 'compute', 'consensus'], 'healthy');
});

Then('the health report names the service and its version', function (this: NovaWorld) {
  health.expectIdentity(this);
});

Then('the load balancer check and the detailed health view give the same status', function (this: NovaWorld) {
  health.expectViewsAgree(this);
});

Given('the {word} has failed', async function (this: NovaWorld, component: string) {
  await health.failComponent(this, component);
});

Then(
  'within {int} seconds the system is {health} and the {word} is reported as unhealthy',
  async function (this: NovaWorld, seconds: number, status: HealthStatus, component: string) {
    await health.waitUntilReportedUnhealthy(this, component, status, seconds * 1000);
  },
);

When('the {word} recovers', async function (this: NovaWorld, component: string) {
  await health.recoverComponent(this, component);
});

Then('the system is healthy again within {int} seconds', async function (this: NovaWorld, seconds: number) {
  const elapsed = await health.waitUntilHealthy(this, seconds * 1000);
  this.metrics.record('health-recovery-time', Math.round(elapsed));
});
