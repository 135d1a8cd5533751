import { Then } from '@cucumber/cucumber';
import { checkVmModel } from '../support/model/vms';
import type { NovaWorld } from '../support/world';

Then(
  'any sequence of requests, actions, refusals and deletions of machines keeps their details, lists, filters, counts, histories and event stream in agreement with what was done',
  async function (this: NovaWorld) {
    await checkVmModel(this);
  },
);
