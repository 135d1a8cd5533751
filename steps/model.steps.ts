import { Then } from '@cucumber/cucumber';
import { checkAutoscalingModel } from '../support/model/autoscaling';
import { checkCredentialModel } from '../support/model/credentials';
import { checkStreamModel } from '../support/model/event-stream';
import { checkFederationModel } from '../support/model/federation';
import { checkMigrationModel } from '../support/model/migration';
import { checkNetworkModel } from '../support/model/network';
import { checkRateModel } from '../support/model/rate-limits';
import { checkStorageModel } from '../support/model/storage';
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

Then(
  'any sequence of volume creations, attachments, moves between tiers, writes, reads, refusals and deletions keeps every volume\'s details, bytes, lists, tier figures and each machine\'s volumes in agreement with what was done',
  async function (this: NovaWorld) {
    await checkStorageModel(this);
  },
);

Then(
  'any sequence of segment creations, attachments, policies, refusals and deletions keeps every segment, address, policy and the reachability between every pair of machines in agreement with what the policies say',
  async function (this: NovaWorld) {
    await checkNetworkModel(this);
  },
);

Then(
  "any sequence of limits set at random and requests of several users counts each user's requests exactly in their window, refuses exactly those beyond the limit and says so in every answer",
  async function (this: NovaWorld) {
    await checkRateModel(this);
  },
);

Then(
  "any sequence of group creations, loads, lost members, refusals and deletions moves each group only as its policy says and keeps every group's details, lists, decisions, members, their histories and the event stream in agreement with what was done",
  async function (this: NovaWorld) {
    await checkAutoscalingModel(this);
  },
);

Then(
  'any sequence of peers joining and leaving, machines requested through and onto any member, members going away and coming back, refusals and deletions places every machine where the placement rules say and keeps every member\'s records, figures, lists and the federation status in agreement with what was done',
  async function (this: NovaWorld) {
    await checkFederationModel(this);
  },
);

Then(
  'any sequence of subscriptions of any topics, replays from any point, reconnections, refused subscriptions and operations that publish gives every subscriber exactly the events of its topics after its starting point, in order, as every other subscriber sees them',
  async function (this: NovaWorld) {
    await checkStreamModel(this);
  },
);

Then(
  'any sequence of machines created on any node, migrations to any node at any link speed, migrations asked several times at once, refusals, state changes and deletions moves each machine only as the contract allows and keeps its migrations, probes, history and every node\'s free room in agreement with what was done',
  async function (this: NovaWorld) {
    await checkMigrationModel(this);
  },
);
