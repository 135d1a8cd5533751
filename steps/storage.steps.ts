import { type DataTable, defineParameterType, Given, Then, When } from '@cucumber/cucumber';
import * as storage from '../support/tasks/storage';
import * as volumeHistory from '../support/tasks/volume-history';
import type { TierName } from '../support/tasks/storage';
import type { NovaWorld } from '../support/world';

defineParameterType({ name: 'tier', regexp: /HOT|WARM|COLD|ARCHIVE/, transformer: (t: string) => t as TierName });
defineParameterType({
  name: 'tier order',
  regexp: /(?:HOT|WARM|COLD|ARCHIVE)(?:, (?:HOT|WARM|COLD|ARCHIVE))*/,
  transformer: (list: string) => list.split(', ') as TierName[],
});

Given('a {int} GB volume {string} on the {tier} tier attached to {string}', async function (this: NovaWorld, size: number, alias: string, tier: TierName, vm: string) {
  await storage.createVolume(this, alias, size, tier);
  await storage.attach(this, alias, vm);
});

Given('a {int} GB volume {string} on the {tier} tier holding {string}', async function (this: NovaWorld, size: number, alias: string, tier: TierName, data: string) {
  await storage.createVolume(this, alias, size, tier);
  await storage.write(this, alias, 0, data);
});

Given('a virtual machine {string} using the volume {string}', async function (this: NovaWorld, vm: string, alias: string) {
  await storage.vmUsingVolume(this, vm, alias);
});

Given('I note the checksum of the volume {string}', async function (this: NovaWorld, alias: string) {
  await storage.noteChecksum(this, alias);
});

When('I look at the storage tiers', async function (this: NovaWorld) {
  await storage.listTiers(this);
});

When('I measure the throughput of every tier', async function (this: NovaWorld) {
  await storage.measureEveryTier(this);
});

When('I create a {int} GB volume {string} on the {tier} tier', async function (this: NovaWorld, size: number, alias: string, tier: TierName) {
  await storage.createVolume(this, alias, size, tier);
});

When('I try to create a {int} GB volume {string} on the {tier} tier', async function (this: NovaWorld, size: number, alias: string, tier: TierName) {
  await storage.submitVolume(this, alias, size, tier);
});

When('I attach the volume {string} to {string}', async function (this: NovaWorld, alias: string, vm: string) {
  await storage.attach(this, alias, vm);
});

When('I try to attach the volume {string} to {string}', async function (this: NovaWorld, alias: string, vm: string) {
  await storage.tryAttach(this, alias, vm);
});

When('I detach the volume {string}', async function (this: NovaWorld, alias: string) {
  await storage.detach(this, alias);
});

When('I move the volume {string} to the {tier} tier', async function (this: NovaWorld, alias: string, tier: TierName) {
  await storage.startMove(this, alias, tier);
});

Then('the tiers are offered from fastest to slowest:', function (this: NovaWorld, table: DataTable) {
  storage.expectTierOrder(this, table.hashes() as { tier: string; media: string }[]);
});

Then('each tier answers later and transfers slower than the tier before it', function (this: NovaWorld) {
  storage.expectStrictlySlower(this);
});

Then('the measured throughput ranks the tiers {tier order} from fastest to slowest', function (this: NovaWorld, order: TierName[]) {
  storage.expectMeasuredOrder(this, order);
});

Then('every tier achieves at least half of its advertised throughput', async function (this: NovaWorld) {
  await storage.expectHalfOfAdvertised(this);
});

Then('the volume {string} is available on the {tier} tier with {int} GB', async function (this: NovaWorld, alias: string, tier: TierName, size: number) {
  await storage.expectVolume(this, alias, { state: 'available', tier, size, vm: null });
});

Then('the volume {string} is attached to {string}', async function (this: NovaWorld, alias: string, vm: string) {
  await storage.expectVolume(this, alias, { state: 'attached', vm });
});

Then('the volume {string} is available and attached to no machine', async function (this: NovaWorld, alias: string) {
  await storage.expectVolume(this, alias, { state: 'available', vm: null });
});

Then('the request is refused because the volume is already attached to {string}', function (this: NovaWorld, vm: string) {
  storage.expectAlreadyAttached(this, vm);
});

Then('the move of {string} completes within {int} seconds', async function (this: NovaWorld, alias: string, seconds: number) {
  await storage.waitForMove(this, alias, seconds * 1000);
});

Then('the volume {string} is on the {tier} tier, still attached to {string}', async function (this: NovaWorld, alias: string, tier: TierName, vm: string) {
  await storage.expectVolume(this, alias, { tier, state: 'attached', vm });
});

Then('the volume {string} has the checksum noted before the move', async function (this: NovaWorld, alias: string) {
  await storage.expectNotedChecksum(this, alias);
});

Then('the volume {string} still holds {string} and accepts new data', async function (this: NovaWorld, alias: string, data: string) {
  await storage.expectHoldsAndWritable(this, alias, data);
});

Then('the volume is refused because {}', function (this: NovaWorld, reason: string) {
  storage.expectVolumeRefused(this, reason);
});

Then('there is no volume {string}', async function (this: NovaWorld, alias: string) {
  await storage.expectNoVolume(this, alias);
});

When(
  '{int} clients write and {int} clients read the blocks of {string} for {int} seconds while it moves between tiers and {string} migrates between nodes',
  async function (this: NovaWorld, writers: number, readers: number, alias: string, seconds: number, vm: string) {
    await volumeHistory.runVolumeHistory(this, alias, vm, seconds * 1000, writers, readers);
  },
);

Then(
  'every read returns the initial bytes or a write that was not refused, and never a value older than the last acknowledged write before it',
  function (this: NovaWorld) {
    volumeHistory.expectVolumeHistoryHolds(this);
  },
);

Then('the machine answered throughout each migration, from its source node and then its target node, never back', function (this: NovaWorld) {
  volumeHistory.expectMachineAnsweredThroughout(this);
});

Then('at rest the volume is on the tier of its last move with a checksum of the bytes it returns, and the machine runs where it was last moved', async function (this: NovaWorld) {
  await volumeHistory.expectVolumeAtRest(this);
});
