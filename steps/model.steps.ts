import { Then } from '@cucumber/cucumber';
import { checkCredentialModel } from '../support/model/credentials';
import { checkVmModel } from '../support/model/vms';
import type { NovaWorld } from '../support/world';

Then(
  'any sequence of requests, actions, refusals and deletions of machines keeps their details, lists, filters, counts, histories and event stream in agreement with what was done',
  async function (this: NovaWorld) {
    await checkVmModel(this);
  },
);

Then(
  'any sequence of account creations, sign-ins, renewals, sign-outs, rate limits and deletions keeps every credential working exactly while it should and every view of the accounts in agreement with what was done',
  async function (this: NovaWorld) {
    await checkCredentialModel(this);
  },
);
