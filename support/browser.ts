import { existsSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';

/**
 * The browser the `@browser` scenarios drive: one Chromium per worker process, started on first
 * use; one context (cookies, storage) per scenario, so scenarios never share a session; a page per
 * tab. Which Chromium: NOVACRON_BROWSER_PATH, else the one installed with the suite
 * (@sparticuz/chromium, a Chromium inside an npm package: nothing downloads at install), else
 * `chromium`, `chromium-browser`, `google-chrome` on PATH.
 */

export interface BrowserChoice {
  path: string;
  args: string[];
  source: string;
}

const SYSTEM_BROWSERS = ['chromium', 'chromium-browser', 'google-chrome', 'google-chrome-stable'];

/** The install line a scenario that has no browser prints. */
export const NO_BROWSER =
  'no browser to drive the dashboard: `npm install` brings one (@sparticuz/chromium), or set NOVACRON_BROWSER_PATH to a Chromium or Chrome (e.g. apt-get install chromium)';

/** Headless on a machine without a GPU or a sandbox (containers, CI). Not @sparticuz/chromium's own arguments: they run one process, which crashes with several contexts. */
const ARGS = ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'];

export async function findBrowser(
  configured: string | undefined,
  env: NodeJS.ProcessEnv = process.env,
  bundled: () => Promise<BrowserChoice | undefined> = bundledChromium,
): Promise<BrowserChoice | undefined> {
  if (configured) {
    if (!existsSync(configured)) throw new Error(`NOVACRON_BROWSER_PATH="${configured}" is not valid: expected the path of a Chromium or Chrome executable`);
    return { path: configured, args: ARGS, source: 'NOVACRON_BROWSER_PATH' };
  }
  const installed = await bundled();
  if (installed) return installed;
  for (const dir of (env.PATH ?? '').split(delimiter).filter(Boolean)) {
    for (const name of SYSTEM_BROWSERS) {
      if (existsSync(join(dir, name))) return { path: join(dir, name), args: ARGS, source: `${name} on PATH` };
    }
  }
  return undefined;
}

async function bundledChromium(): Promise<BrowserChoice | undefined> {
  let chromium: { executablePath(): Promise<string> };
  try {
    chromium = (await import('@sparticuz/chromium')).default;
  } catch {
    return undefined;
  }
  // Unpacks the browser into the temporary folder on first use (about 2 s).
  const path = await chromium.executablePath();
  return { path, args: ARGS, source: '@sparticuz/chromium' };
}

/** The worker's browser, started once; `undefined` when none is available (the scenarios say so). */
export class BrowserPool {
  private starting: Promise<Browser | undefined> | undefined;
  private choice: BrowserChoice | undefined;

  constructor(private readonly configured: string | undefined) {}

  get description(): string {
    return this.choice ? `${this.choice.source} (${this.choice.path})` : 'none';
  }

  browser(): Promise<Browser | undefined> {
    this.starting ??= (async () => {
      this.choice = await findBrowser(this.configured);
      if (!this.choice) return undefined;
      const { chromium } = await import('playwright-core');
      return chromium.launch({ executablePath: this.choice.path, args: this.choice.args, headless: true });
    })();
    return this.starting;
  }

  async close(): Promise<void> {
    const browser = await this.starting?.catch(() => undefined);
    await browser?.close();
  }
}

/** What the page itself reported: console errors and uncaught exceptions. */
export interface PageProblem {
  tab: number;
  kind: 'console error' | 'uncaught exception' | 'server error';
  text: string;
}

/**
 * One scenario's browser: its own context, its tabs, and what went wrong in them. A console error
 * or an uncaught exception in any tab fails the scenario (support/hooks.ts); so does a 5xx answer
 * to the page. Refusals the page expects (a 401 to a wrong password) are not errors of the page.
 */
export class BrowserSession {
  readonly tabs: Page[] = [];
  readonly problems: PageProblem[] = [];

  private constructor(
    readonly context: BrowserContext,
    readonly baseUrl: string,
  ) {}

  static async open(browser: Browser, baseUrl: string, trace: boolean): Promise<BrowserSession> {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    if (trace) await context.tracing.start({ screenshots: true, snapshots: true });
    return new BrowserSession(context, baseUrl);
  }

  async newTab(): Promise<Page> {
    const page = await this.context.newPage();
    const tab = this.tabs.length + 1;
    page.on('pageerror', (error) => this.problems.push({ tab, kind: 'uncaught exception', text: error.stack ?? error.message }));
    page.on('console', (message) => {
      // The browser's own notice of a refused request (e.g. 401 to a wrong password) is not the page's error.
      if (message.type() === 'error' && !/^Failed to load resource: the server responded with a status of 4\d\d/.test(message.text())) {
        this.problems.push({ tab, kind: 'console error', text: message.text() });
      }
    });
    page.on('response', (response) => {
      if (response.status() >= 500) this.problems.push({ tab, kind: 'server error', text: `${response.request().method()} ${response.url()} answered ${response.status()}` });
    });
    this.tabs.push(page);
    return page;
  }

  tab(index: number): Page {
    const page = this.tabs[index];
    if (!page) throw new Error(`the dashboard has no tab ${index + 1} open (${this.tabs.length} open)`);
    return page;
  }

  async close(tracePath?: string): Promise<void> {
    if (tracePath) await this.context.tracing.stop({ path: tracePath }).catch(() => undefined);
    await this.context.close();
  }
}
