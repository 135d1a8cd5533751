import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Locator, Page } from 'playwright-core';
import { BrowserSession, NO_BROWSER } from '../browser';
import type { NovaWorld, Role } from '../world';
import { signInAs } from './accounts';
import { createVm, deleteVmAfterScenario, vmNamed, type Vm } from './vms';

/**
 * The dashboard in a real browser, driven as a person drives it: every element found by its role,
 * label or text (the UI contract, contract/ui.md), every time measured here around the browser's
 * own waits, never taken from the page.
 */

interface DashboardState {
  session: BrowserSession;
  firstScreenMs?: number;
  listMs?: number;
  firstPageMs?: number;
  pageMs: number[];
  shownNames: string[];
  refusals: string[];
}

const KEY = 'dashboard-ui';

function dashboard(world: NovaWorld): DashboardState {
  const state = world.state.get(KEY) as DashboardState | undefined;
  if (!state) throw new Error('the dashboard is not open: add "Given the dashboard is open"');
  return state;
}

/** The scenario's browser session, for the hooks: screenshots of failed steps, page errors, closing. */
export function dashboardSession(world: NovaWorld): BrowserSession | undefined {
  return (world.state.get(KEY) as DashboardState | undefined)?.session;
}

// ---------------------------------------------------------------------------------------------
// Opening and signing in

/** Opens the dashboard in a new tab; 'skipped' (not applicable) when there is no browser or no dashboard. */
export async function openDashboard(world: NovaWorld): Promise<'skipped' | undefined> {
  let state = world.state.get(KEY) as DashboardState | undefined;
  if (!state) {
    const browser = await world.suite.browsers.browser();
    if (!browser) return world.notApplicable(NO_BROWSER);
    state = { session: await BrowserSession.open(browser, world.suite.dashboardUrl, world.suite.config.debug), pageMs: [], shownNames: [], refusals: [] };
    world.state.set(KEY, state);
  }
  const tab = await state.session.newTab();
  const started = performance.now();
  const response = await tab.goto(state.session.baseUrl);
  if (!response || !(response.headers()['content-type'] ?? '').startsWith('text/html')) {
    return world.notApplicable(`the target serves no dashboard at ${state.session.baseUrl} (answered ${response?.status() ?? 'nothing'}); set NOVACRON_UI_URL to its dashboard`);
  }
  await firstScreen(tab).waitFor();
  state.firstScreenMs ??= performance.now() - started;
  return undefined;
}

/** The sign-in form or the machine list, whichever the dashboard shows first. */
function firstScreen(tab: Page): Locator {
  return tab.getByRole('heading', { name: 'Sign in' }).or(tab.getByRole('heading', { name: 'Virtual machines' }));
}

function tab(world: NovaWorld, index = 0): Page {
  return dashboard(world).session.tab(index);
}

async function submitSignIn(page: Page, login: string, password: string): Promise<void> {
  await page.getByLabel('User name or email').fill(login);
  await page.getByLabel('Password', { exact: true }).fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
}

/** Signs in through the form as a new account of `role`, in as many tabs as asked (the others follow the first). */
export async function signInToDashboard(world: NovaWorld, role: Role, tabs = 1): Promise<'skipped' | undefined> {
  const actor = await signInAs(world, role);
  if ((await openDashboard(world)) === 'skipped') return 'skipped';
  const started = performance.now();
  await submitSignIn(tab(world), actor.username, actor.password);
  await machineList(tab(world)).waitFor();
  dashboard(world).listMs = performance.now() - started;
  for (let more = 1; more < tabs; more += 1) {
    await openDashboard(world);
    await machineList(tab(world, more)).waitFor();
  }
  return undefined;
}

function machineList(page: Page): Locator {
  return page.getByRole('table', { name: 'Virtual machines' });
}

export async function signInWithEmptyFields(world: NovaWorld): Promise<void> {
  await submitSignIn(tab(world), '', '');
}

/** The message the dashboard shows for a field: its accessible description, which is how a screen reader reads it next to the field. */
export async function expectFieldMessage(world: NovaWorld, field: 'user name' | 'password', message: string): Promise<void> {
  const label = field === 'user name' ? 'User name or email' : 'Password';
  const page = tab(world);
  const ids = ((await page.getByLabel(label, { exact: true }).getAttribute('aria-describedby')) ?? '').split(/\s+/).filter(Boolean);
  const texts = await Promise.all(ids.map(async (id) => ((await page.locator(`[id="${id}"]`).textContent()) ?? '').trim()));
  const described = texts.filter(Boolean).join(' ');
  assert.equal(described, message, `the ${field} field is described as "${described}", expected "${message}" next to it`);
}

export async function expectAskedToSignIn(world: NovaWorld, index = 0, withinMs = 1000): Promise<void> {
  const page = tab(world, index);
  await page.getByRole('heading', { name: 'Sign in' }).waitFor({ timeout: withinMs });
  assert.equal(await machineList(page).isVisible(), false, `tab ${index + 1} of the dashboard asks to sign in, yet still shows the machines`);
}

/** Signs in through the form with credentials that must be refused; keeps what the dashboard said. */
export async function signInRefused(world: NovaWorld, who: 'wrong password' | 'no account'): Promise<void> {
  const page = tab(world);
  const login = who === 'wrong password' ? world.actor.username : world.unique('nobody');
  const alert = page.getByRole('alert');
  await submitSignIn(page, login, `not-the-password-${world.runId}`);
  await alert.filter({ hasText: /\S/ }).waitFor();
  const text = (await alert.textContent())?.trim() ?? '';
  dashboard(world).refusals.push(text);
  // A fresh form for the next attempt, so its refusal cannot be the one still showing.
  await page.reload();
  await firstScreen(page).waitFor();
}

export function expectSameRefusals(world: NovaWorld): void {
  const [first, second] = dashboard(world).refusals;
  assert.ok(first && second, `expected two refusals, the dashboard showed ${JSON.stringify(dashboard(world).refusals)}`);
  assert.equal(second, first, 'the dashboard words a refusal differently for an unknown account than for a wrong password, so it tells which part was wrong');
  assert.match(first, /user ?name|email/i, `the refusal "${first}" does not name the user name as a possible wrong part`);
  assert.match(first, /password/i, `the refusal "${first}" does not name the password as a possible wrong part`);
}

export async function signOutInTab(world: NovaWorld, index: number): Promise<void> {
  await tab(world, index).getByRole('button', { name: 'Sign out' }).click();
}

/** Opens the dashboard anew in a fresh tab: with the session ended it must ask to sign in. */
export async function expectNoSessionLeft(world: NovaWorld): Promise<void> {
  await openDashboard(world);
  const fresh = dashboard(world).session.tabs.length - 1;
  await expectAskedToSignIn(world, fresh, 5000);
}

// ---------------------------------------------------------------------------------------------
// The machines

/** Narrows the list to the machines whose name starts with `prefix`. */
async function filterByName(page: Page, prefix: string): Promise<void> {
  await page.getByLabel('Name starts with').fill(prefix);
}

function row(page: Page, name: string): Locator {
  return machineList(page).getByRole('row').filter({ has: page.getByRole('button', { name, exact: true }) });
}

/** Narrows the open list to the name `alias` will have (nothing listed yet), then creates it through the API. */
export async function createWhileWatching(world: NovaWorld, alias: string): Promise<void> {
  await filterByName(tab(world), world.unique(alias));
  await tab(world).getByRole('status').filter({ hasText: /, 0 machines/ }).waitFor({ timeout: 5000 });
  await createVm(world, alias);
}

export async function chooseState(world: NovaWorld, state: string): Promise<void> {
  await tab(world).getByLabel('State', { exact: true }).selectOption(state);
}

/** The list, as it is (no new filter, no reload), shows the machine within the time. */
export async function expectListed(world: NovaWorld, alias: string, withinMs: number): Promise<void> {
  const name = vmNamed(world, alias).name;
  const page = tab(world);
  await row(page, name).waitFor({ timeout: withinMs }).catch(() => {
    throw new Error(`the dashboard did not list "${name}" within ${withinMs} ms`);
  });
}

/** Narrows a tab's list to the machine and waits until it shows it in `state`. */
export async function watchMachine(world: NovaWorld, alias: string, state: string, index: number): Promise<void> {
  await filterByName(tab(world, index), vmNamed(world, alias).name);
  await expectListedAs(world, alias, state, 5000, index);
}

/** The tab's list, as it is (no new filter, no reload), shows the machine in `state` within the time. */
export async function expectListedAs(world: NovaWorld, alias: string, state: string, withinMs: number, index: number): Promise<void> {
  const name = vmNamed(world, alias).name;
  const page = tab(world, index);
  await row(page, name).filter({ has: page.getByRole('cell', { name: state, exact: true }) }).waitFor({ timeout: withinMs }).catch(async () => {
    const shown = (await row(page, name).allTextContents()).join(' | ') || 'no such row';
    throw new Error(`the dashboard's tab ${index + 1} did not show "${name}" as ${state} within ${withinMs} ms: ${shown}`);
  });
}

/** The overview's counts against the control plane's own list, read through the API. */
export async function expectOverviewCountsEverything(world: NovaWorld, withinMs: number): Promise<void> {
  const page = tab(world);
  const deadline = performance.now() + withinMs;
  let last = '';
  for (;;) {
    const { data } = await world.actor.api.get<{ total: number }>('/api/v1/vms?page=1&page_size=1');
    const shown = (await definitions(page.locator('dl').filter({ has: page.getByText('Total', { exact: true }) }).first())).Total;
    if (shown === String(data.total)) return;
    last = `the overview shows a total of ${shown}, the control plane lists ${data.total}`;
    if (performance.now() > deadline) throw new Error(`${last} (after ${withinMs} ms)`);
    await page.waitForTimeout(50);
  }
}

async function openMachine(page: Page, name: string): Promise<void> {
  await filterByName(page, name);
  await row(page, name).getByRole('button', { name, exact: true }).click();
  await page.getByRole('heading', { name, exact: true }).waitFor();
}

export async function actOnMachine(world: NovaWorld, alias: string, action: 'start' | 'stop' | 'pause' | 'resume', index = 0): Promise<void> {
  const page = tab(world, index);
  const name = vmNamed(world, alias).name;
  await openMachine(page, name);
  await page.getByRole('button', { name: action.charAt(0).toUpperCase() + action.slice(1), exact: true }).click();
  await page.getByRole('button', { name: 'Back to the list' }).click();
}

export async function openMachineDetails(world: NovaWorld, alias: string): Promise<void> {
  await openMachine(tab(world), vmNamed(world, alias).name);
}

/** The details as the dashboard shows them against the machine as the API has it. */
export async function expectDetailsMatch(world: NovaWorld, alias: string): Promise<void> {
  const page = tab(world);
  const { data: vm } = await world.actor.api.get<Vm>(`/api/v1/vms/${vmNamed(world, alias).id}`);
  const shown = await definitions(page.locator('section').filter({ has: page.getByRole('heading', { name: vm.name, exact: true }) }).locator('dl'));
  assert.deepEqual(
    { State: shown.State, Node: shown.Node, 'CPU shares': shown['CPU shares'] },
    { State: vm.state, Node: vm.node_id, 'CPU shares': String(vm.cpu_shares) },
    `the dashboard shows ${vm.name} differently from the control plane`,
  );
}

/** A definition list (`dt` terms, each followed by its `dd`) as name -> value. */
async function definitions(list: Locator): Promise<Record<string, string>> {
  const [terms, values] = await Promise.all([list.locator('dt').allTextContents(), list.locator('dd').allTextContents()]);
  return Object.fromEntries(terms.map((term, i) => [term.trim(), (values[i] ?? '').trim()]));
}

/** Every entry of the machine's history, in the order the control plane recorded them. */
export async function expectHistoryInOrder(world: NovaWorld, alias: string): Promise<void> {
  const page = tab(world);
  const { data } = await world.actor.api.get<{ items: { action: string; to_state?: string }[] }>(`/api/v1/vms/${vmNamed(world, alias).id}/events`);
  const history = page.getByRole('list', { name: 'History' }).getByRole('listitem');
  const expected = data.items.map((entry) => entry.action);
  const deadline = performance.now() + 2000;
  let shown: string[] = [];
  while (performance.now() < deadline) {
    shown = (await history.allTextContents()).map((text) => text.split(':')[0]!.trim());
    if (shown.length >= expected.length) break;
    await page.waitForTimeout(50);
  }
  assert.deepEqual(shown, expected, 'the dashboard shows the history in another order, or not all of it');
}

export async function expectOnlyInState(world: NovaWorld, state: string, listed: string, notListed: string): Promise<void> {
  const page = tab(world);
  await filterByName(page, vmNamed(world, listed).name);
  await expectListed(world, listed, 2000);
  await filterByName(page, vmNamed(world, notListed).name);
  await page.getByRole('status').filter({ hasText: /, 0 machines/ }).waitFor({ timeout: 2000 }).catch(async () => {
    throw new Error(`the dashboard lists "${vmNamed(world, notListed).name}" (${await row(page, vmNamed(world, notListed).name).textContent()}) among the ${state} machines`);
  });
}

// ---------------------------------------------------------------------------------------------
// A thousand machines

export async function createManyMachines(world: NovaWorld, count: number): Promise<void> {
  const prefix = `${world.unique('many')}-`;
  manyMachines(world).thousandPrefix = prefix;
  const actor = await signInAs(world, 'operator');
  const names = Array.from({ length: count }, (_, i) => `${prefix}${String(i + 1).padStart(4, '0')}`);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < names.length) {
      const name = names[next++]!;
      const response = await actor.api.post<Vm>('/api/v1/vms', { name, tags: [world.scenarioTag] });
      assert.equal(response.status, 201, `creating ${name} answered ${response.status}`);
      deleteVmAfterScenario(world, response.data);
    }
  };
  await Promise.all(Array.from({ length: 25 }, worker));
}

/** The many machines are made before the dashboard opens, so their name prefix is kept apart from the browser's state. */
function manyMachines(world: NovaWorld): { thousandPrefix?: string } {
  return world.domain('dashboard-many', () => ({}) as { thousandPrefix?: string });
}

export async function listManyMachines(world: NovaWorld, perPage: number): Promise<void> {
  const page = tab(world);
  const prefix = manyMachines(world).thousandPrefix!;
  const started = performance.now();
  await page.getByLabel('Machines per page').selectOption(String(perPage));
  await filterByName(page, prefix);
  await page.getByRole('status').filter({ hasText: new RegExp(`^Page 1 of \\d+, `) }).waitFor();
  await expectRows(page, prefix, perPage);
  dashboard(world).firstPageMs = performance.now() - started;
  dashboard(world).shownNames.push(...(await shownNames(page)));
}

async function expectRows(page: Page, prefix: string, count: number): Promise<void> {
  const buttons = machineList(page).getByRole('button', { name: new RegExp(`^${prefix.replace(/[-]/g, '\\-')}`) });
  for (;;) {
    if ((await buttons.count()) >= count) return;
    await page.waitForTimeout(20);
  }
}

async function shownNames(page: Page): Promise<string[]> {
  return machineList(page).getByRole('button').allTextContents();
}

export async function pageThroughMachines(world: NovaWorld): Promise<void> {
  const page = tab(world);
  const state = dashboard(world);
  for (;;) {
    const next = page.getByRole('button', { name: 'Next page' });
    if (await next.isDisabled()) return;
    const before = (await page.getByRole('status').textContent()) ?? '';
    const started = performance.now();
    await next.click();
    await page.getByRole('status').filter({ hasNotText: before }).waitFor();
    state.pageMs.push(performance.now() - started);
    state.shownNames.push(...(await shownNames(page)));
  }
}

export function budgets(world: NovaWorld): { firstScreenMs?: number; listMs?: number; firstPageMs?: number; pageMs: number[] } {
  const { firstScreenMs, listMs, firstPageMs, pageMs } = dashboard(world);
  return { firstScreenMs, listMs, firstPageMs, pageMs };
}

export function expectEachShownOnce(world: NovaWorld, count: number): void {
  const prefix = manyMachines(world).thousandPrefix!;
  const shown = dashboard(world).shownNames.filter((name) => name.startsWith(prefix));
  const seen = new Map<string, number>();
  for (const name of shown) seen.set(name, (seen.get(name) ?? 0) + 1);
  const twice = [...seen].filter(([, times]) => times > 1).map(([name]) => name);
  const expected = Array.from({ length: count }, (_, i) => `${prefix}${String(i + 1).padStart(4, '0')}`);
  const missing = expected.filter((name) => !seen.has(name));
  assert.deepEqual(
    { missing: missing.length, twice: twice.length },
    { missing: 0, twice: 0 },
    `paging through the dashboard missed ${missing.length} machine(s) (e.g. ${missing.slice(0, 3).join(', ')}) and showed ${twice.length} more than once (e.g. ${twice.slice(0, 3).join(', ')})`,
  );
}

/** Where a failed step's screenshot and a debug run's trace go. */
export function artifactPath(world: NovaWorld, name: string): string {
  const dir = join(world.suite.config.reportsDir, 'browser');
  mkdirSync(dir, { recursive: true });
  return join(dir, `${world.runId}-${name}`);
}
