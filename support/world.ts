import { randomBytes } from 'node:crypto';
import { setWorldConstructor, World, type IWorldOptions } from '@cucumber/cucumber';
import type { ApiClient, ApiResponse } from './api-client';
import { NOT_APPLICABLE_DETAIL } from './capabilities';
import { Ledger } from './ledger';
import { ScenarioMetrics } from './metrics';
import { suite, type Suite } from './suite';
import { EventStream } from './ws-client';

export type Role = 'admin' | 'operator' | 'viewer';

export interface Actor {
  role: Role;
  username: string;
  password: string;
  userId: string;
  token: string;
  refreshToken: string;
  api: ApiClient;
}

/**
 * One scenario's state: who acts, what the scenario created (released after it, whatever its
 * outcome), what it measured, and the names it uses (each made unique to the scenario so that
 * parallel runs never collide).
 */
export class NovaWorld extends World {
  readonly ledger = new Ledger();
  readonly metrics = new ScenarioMetrics();
  /** A short id that marks everything this scenario creates. */
  readonly runId = randomBytes(4).toString('hex');
  readonly actors = new Map<Role, Actor>();
  readonly streams: EventStream[] = [];
  /** The actor the steps speak for as "I". */
  me: Actor | undefined;
  /** The answer to the last request a step made, for the steps that check a refusal. */
  lastResponse: ApiResponse | undefined;
  private readonly names = new Map<string, string>();
  /** Domain state the tasks keep between steps, by domain (e.g. `vms`: alias -> VM). */
  readonly state = new Map<string, unknown>();
  /**
   * Why this scenario expects the target to answer server errors (a component it failed on
   * purpose). Unset, any 5xx a retry hid fails the scenario (support/hooks.ts).
   */
  private outage: string | undefined;

  constructor(options: IWorldOptions) {
    super(options);
  }

  get suite(): Suite {
    return suite();
  }

  /** The scenario's unique form of a name used in Gherkin: "web-1" -> "web-1-3f9a0c2d". */
  unique(alias: string): string {
    let name = this.names.get(alias);
    if (!name) {
      name = `${alias}-${this.runId}`;
      this.names.set(alias, name);
    }
    return name;
  }

  /** The tag every resource created by this scenario carries. */
  get scenarioTag(): string {
    return `spec-${this.runId}`;
  }

  get actor(): Actor {
    if (!this.me) throw new Error('no one is signed in: add a step such as "Given I am signed in as an operator"');
    return this.me;
  }

  /**
   * Declares that the scenario causes an outage on purpose, so server errors hidden by retries
   * are reported but do not fail it. Say why: `world.expectServerErrors('the database is failed')`.
   */
  expectServerErrors(reason: string): void {
    this.outage ??= reason;
  }

  /** Why server errors are expected in this scenario, or undefined when they are not. */
  get serverErrorsExpected(): string | undefined {
    return this.outage;
  }

  /**
   * Marks the scenario not applicable to this target (the report shows why); its step then
   * returns 'skipped'. Only for what the scenario's tags cannot say (the permission matrix's areas).
   */
  notApplicable(reason: string): 'skipped' {
    this.metrics.detail(NOT_APPLICABLE_DETAIL, reason);
    this.log(reason);
    return 'skipped';
  }

  /** Domain state held for the scenario, created on first use. */
  domain<T>(name: string, create: () => T): T {
    if (!this.state.has(name)) this.state.set(name, create());
    return this.state.get(name) as T;
  }

  async openStream(token: string | undefined, topics?: string[]): Promise<EventStream> {
    const stream = await EventStream.open({
      baseURL: this.suite.apiUrl,
      token,
      topics,
      debug: this.suite.config.debug ? (line) => this.suite.log(line) : undefined,
    });
    this.streams.push(stream);
    return stream;
  }
}

setWorldConstructor(NovaWorld);
