import { When, type DataTable } from '@cucumber/cucumber';
import { loadConfig } from '../support/config';
import { stagesFromTable } from '../support/tasks/load-profiles';
import * as perf from '../support/tasks/performance';
import type { NovaWorld } from '../support/world';

const LONG = { timeout: perf.userLoadTimeoutMs(loadConfig()) };

When("the dashboard's views receive requests per second in these stages:", LONG, async function (this: NovaWorld, table: DataTable) {
  const { start, stages } = stagesFromTable(table.hashes());
  await perf.runStagedDashboardLoad(this, 'rate', start, stages);
});

When("users of the dashboard's views come and go in these stages:", LONG, async function (this: NovaWorld, table: DataTable) {
  const { start, stages } = stagesFromTable(table.hashes());
  await perf.runStagedDashboardLoad(this, 'users', start, stages);
});
