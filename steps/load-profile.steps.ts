import { When, type DataTable } from '@cucumber/cucumber';
import { getConfig } from '../support/config';
import { stagesFromTable } from '../support/tasks/load-profiles';
import * as dashboardLoad from '../support/tasks/performance/dashboard-load';
import { userLoadTimeoutMs } from '../support/tasks/performance/durations';
import type { NovaWorld } from '../support/world';

const LONG = { timeout: userLoadTimeoutMs(getConfig()) };

When("the dashboard's views receive requests per second in these stages:", LONG, async function (this: NovaWorld, table: DataTable) {
  const { start, stages } = stagesFromTable(table.hashes());
  await dashboardLoad.runStagedDashboardLoad(this, 'rate', start, stages);
});

When("users of the dashboard's views come and go in these stages:", LONG, async function (this: NovaWorld, table: DataTable) {
  const { start, stages } = stagesFromTable(table.hashes());
  await dashboardLoad.runStagedDashboardLoad(this, 'users', start, stages);
});
