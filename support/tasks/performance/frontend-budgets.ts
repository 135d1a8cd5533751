/** The frontend's budgets: what the dashboard's screens wait for, timed as a browser would see it. */
import assert from 'node:assert/strict';
import type { NovaWorld } from '../../world';
import { readPage } from '../dashboard';
import { expectStatus } from '../expect';
import { announce } from './load-figures';

interface ScreenTimings {
  firstScreenMs: number;
  firstPageMs: number;
  /** Pages after the first, in order. */
  laterPagesMs: number[];
  allMachinesMs: number;
  machines: number;
}

interface BudgetsState {
  screens?: ScreenTimings;
}

function budgets(world: NovaWorld): BudgetsState {
  return world.domain('performance-frontend-budgets', (): BudgetsState => ({}));
}

async function timed<T>(work: () => Promise<T>): Promise<{ value: T; ms: number }> {
  const started = performance.now();
  const value = await work();
  return { value, ms: performance.now() - started };
}

/**
 * Opens the dashboard the way its first screen does (summary, health and the first page of the
 * machine list at once), then pages through the scenario's machines one page after another.
 */
export async function openDashboardAndPage(world: NovaWorld, pageSize: number): Promise<void> {
  const api = world.actor.api;
  const tag = world.scenarioTag;
  const page = (n: number) => timed(() => readPage(world, n, pageSize));
  const started = performance.now();
  const [summary, health, first] = await Promise.all([
    timed(() => api.get('/api/v1/dashboard/summary', { params: { tag } })),
    timed(() => api.get('/api/v1/health')),
    page(1),
  ]);
  expectStatus(summary.value, 200, "loading the dashboard's summary");
  expectStatus(health.value, 200, "loading the dashboard's health overview");
  const firstScreenMs = performance.now() - started;
  const ids = new Set(first.value.items.map((vm) => vm.id));
  const laterPagesMs: number[] = [];
  for (let n = 2; (n - 1) * pageSize < first.value.total; n++) {
    const next = await page(n);
    laterPagesMs.push(next.ms);
    next.value.items.forEach((vm) => ids.add(vm.id));
  }
  const timings: ScreenTimings = { firstScreenMs, firstPageMs: first.ms, laterPagesMs, allMachinesMs: performance.now() - started, machines: ids.size };
  budgets(world).screens = timings;
  world.metrics.record('dashboard-first-screen-time', Math.round(timings.firstScreenMs));
  world.metrics.record('vm-list-first-page-time', Math.round(timings.firstPageMs));
  world.metrics.record('vm-list-slowest-page-time', Math.round(Math.max(timings.firstPageMs, ...laterPagesMs)));
  world.metrics.record('vm-list-all-machines-time', Math.round(timings.allMachinesMs));
  announce(
    world,
    `📋 first screen ${timings.firstScreenMs.toFixed(0)} ms, first page ${timings.firstPageMs.toFixed(0)} ms, ` +
      `later pages ${laterPagesMs.map((ms) => ms.toFixed(0)).join(' / ')} ms, all ${timings.machines} machines ${timings.allMachinesMs.toFixed(0)} ms`,
  );
}

function screens(world: NovaWorld): ScreenTimings {
  const timings = budgets(world).screens;
  if (!timings) throw new Error('the dashboard has not been opened in this scenario');
  return timings;
}

export function expectFirstScreenWithin(world: NovaWorld, limitMs: number): void {
  const { firstScreenMs } = screens(world);
  assert.ok(firstScreenMs < limitMs, `the dashboard's first screen had its data after ${firstScreenMs.toFixed(0)} ms, expected within ${limitMs} ms`);
}

export function expectFirstPageWithin(world: NovaWorld, limitMs: number): void {
  const { firstPageMs } = screens(world);
  assert.ok(firstPageMs < limitMs, `the first page of the virtual machine list arrived after ${firstPageMs.toFixed(0)} ms, expected within ${limitMs} ms`);
}

export function expectEveryLaterPageWithin(world: NovaWorld, limitMs: number): void {
  const { laterPagesMs } = screens(world);
  assert.ok(laterPagesMs.length > 0, 'the virtual machine list fitted on one page: there was no further page to time');
  const slow = laterPagesMs.map((ms, i) => ({ page: i + 2, ms })).filter(({ ms }) => ms >= limitMs);
  assert.ok(
    slow.length === 0,
    `pages of the virtual machine list arrived later than ${limitMs} ms: ${slow.map(({ page, ms }) => `page ${page} after ${ms.toFixed(0)} ms`).join(', ')}`,
  );
}

export function expectAllMachinesWithin(world: NovaWorld, count: number, limitMs: number): void {
  const { allMachinesMs, machines } = screens(world);
  assert.equal(machines, count, `the pages held ${machines} distinct virtual machines, expected ${count}`);
  assert.ok(allMachinesMs < limitMs, `all ${count} virtual machines had arrived after ${allMachinesMs.toFixed(0)} ms, expected within ${limitMs} ms`);
}
