import { contractDocument, type OperationInfo } from './contract';
import type { Discovery, Finding } from './discovery';

type Json = Record<string, unknown>;

/** The tag by which a scenario says it needs a test-support capability: `@needs-load-injection`. */
export const NEEDS_TAG_PREFIX = '@needs-';
/** How the error of a scenario that reached an operation the target does not have begins. */
export const NOT_IMPLEMENTED = 'not implemented:';
/** The scenario detail (report) that says which role the administrator played, on a target without a users API. */
export const STAND_IN_DETAIL = 'administrator-stood-in';
/** The scenario detail (report) that says why a scenario was not applicable. */
export const NOT_APPLICABLE_DETAIL = 'not-applicable';
/** Statuses by which a target says it has no such operation (when the contract does not document them for it). */
export const NO_SUCH_OPERATION = [404, 405, 501] as const;

const HTTP_METHODS = ['get', 'put', 'post', 'delete', 'patch'] as const;

/** One operation of the contract. */
export interface ContractOperation {
  method: string;
  template: string;
  /** `POST /api/v1/simulation/vms/{id}/load` */
  key: string;
  minimumRole: string;
  testSupport?: string;
  area?: string;
}

export function contractOperations(document: Json = contractDocument()): ContractOperation[] {
  const operations: ContractOperation[] = [];
  for (const [template, item] of Object.entries((document.paths ?? {}) as Json)) {
    for (const verb of HTTP_METHODS) {
      const operation = (item as Json)[verb] as Json | undefined;
      if (!operation) continue;
      const testSupport = operation['x-test-support'];
      const area = ((operation.tags ?? []) as string[]).filter((tag) => tag !== 'test-support').pop();
      operations.push({
        method: verb.toUpperCase(),
        template,
        key: `${verb.toUpperCase()} ${template}`,
        minimumRole: String(operation['x-minimum-role'] ?? 'unknown'),
        ...(typeof testSupport === 'string' ? { testSupport } : {}),
        ...(area ? { area } : {}),
      });
    }
  }
  return operations;
}

/** Test-support capability -> its operations, from the contract's `x-test-support`. */
export function testSupportCapabilities(operations: ContractOperation[] = contractOperations()): Map<string, ContractOperation[]> {
  return groupBy(operations.filter((operation) => operation.testSupport), (operation) => operation.testSupport!);
}

/** Area of the API (`vms`, `autoscaling`...) -> its operations, test support left out. */
export function apiAreas(operations: ContractOperation[] = contractOperations()): Map<string, ContractOperation[]> {
  return groupBy(operations.filter((operation) => !operation.testSupport && operation.area), (operation) => operation.area!);
}

/** The test-support capabilities a scenario declares with its tags. */
export function needsOf(tags: readonly string[]): string[] {
  return tags.filter((tag) => tag.startsWith(NEEDS_TAG_PREFIX)).map((tag) => tag.slice(NEEDS_TAG_PREFIX.length));
}

/** Test-support contract problems: operations tagged test-support without a capability, and the reverse. */
export function testSupportDeclarationProblems(document: Json = contractDocument()): string[] {
  const problems: string[] = [];
  for (const [template, item] of Object.entries((document.paths ?? {}) as Json)) {
    for (const verb of HTTP_METHODS) {
      const operation = (item as Json)[verb] as Json | undefined;
      if (!operation) continue;
      const tagged = ((operation.tags ?? []) as string[]).includes('test-support');
      const capability = operation['x-test-support'];
      const key = `${verb.toUpperCase()} ${template}`;
      if (tagged && (typeof capability !== 'string' || !/^[a-z][a-z0-9-]*$/.test(capability))) {
        problems.push(`${key} is tagged test-support but names no capability in x-test-support (lower-case words joined by "-")`);
      }
      if (!tagged && capability !== undefined) problems.push(`${key} names the test-support capability "${String(capability)}" but is not tagged test-support`);
    }
  }
  return problems;
}

/** A scenario called a test-support operation without the tag that declares the need. */
export class UndeclaredTestSupportError extends Error {
  constructor(operation: string, capability: string) {
    super(
      `this scenario calls ${operation}, which is the test-support capability "${capability}": tag the scenario ${NEEDS_TAG_PREFIX}${capability} ` +
        `so that it runs only against targets that offer it (and is reported as not applicable elsewhere)`,
    );
    this.name = 'UndeclaredTestSupportError';
  }
}

/** The target has no such operation; the scenario counts as not implemented, not as failed. */
export class NotImplementedError extends Error {
  constructor(readonly what: string, reason: string) {
    super(`${NOT_IMPLEMENTED} ${what} (${reason})`);
    this.name = 'NotImplementedError';
  }
}

/** Whether an answer's status means "no such operation": one of 404/405/501 that the contract does not document for the operation. */
export function meansNoSuchOperation(status: number, documentedStatuses: readonly string[]): boolean {
  if (!(NO_SUCH_OPERATION as readonly number[]).includes(status)) return false;
  if (documentedStatuses.length === 0) return true;
  return ![String(status), `${String(status)[0]}XX`].some((key) => documentedStatuses.includes(key));
}

/** Why a scenario cannot run against this target, decided before its first step. */
export type ScenarioAdmission = { run: true } | { run: false; outcome: 'not applicable' | 'not implemented'; reason: string };

/**
 * What the target offers (discovered at start, corrected by the answers since) and what the running
 * scenario declared it needs. Every request of the suite passes through it: a test-support
 * operation the scenario did not declare is refused before it is sent, so every run proves the
 * tags right; an answer that says "no such operation" marks that part of the API not implemented.
 * One scenario at a time per process.
 */
export class CapabilityGate {
  /** The test-support capabilities the running scenario declared; undefined before the first scenario. */
  private scenarioNeeds: ReadonlySet<string> | undefined;
  /** `area:<name>` or `test-support:<name>` -> why the target lacks it. */
  private readonly missing = new Map<string, string>();
  /** Areas that answered discovery: one missing operation there does not make the whole area missing. */
  private readonly answered = new Set<string>();

  constructor(discovery: Pick<Discovery, 'areas' | 'testSupport'>) {
    for (const [name, finding] of Object.entries(discovery.areas)) if (finding.present === true) this.answered.add(name);
    for (const [name, finding] of Object.entries(discovery.areas)) if (!isPresent(finding)) this.missing.set(`area:${name}`, finding.evidence);
    for (const [name, finding] of Object.entries(discovery.testSupport)) if (!isPresent(finding)) this.missing.set(`test-support:${name}`, finding.evidence);
  }

  /**
   * Starts a scenario: one that needs a test-support capability the target does not offer is not
   * applicable; one whose part of the API (`areas`) the target lacks is not implemented.
   */
  beginScenario(tags: readonly string[], areas: readonly string[]): ScenarioAdmission {
    const needs = needsOf(tags);
    this.scenarioNeeds = new Set(needs);
    const unmet = this.unmet(needs);
    if (unmet) return { run: false, outcome: 'not applicable', reason: unmet };
    const absent = areas.find((area) => this.missing.has(`area:${area}`));
    if (absent) return { run: false, outcome: 'not implemented', reason: new NotImplementedError(`the ${absent} API`, this.missing.get(`area:${absent}`)!).message };
    return { run: true };
  }

  /**
   * Declares, from code, test support the running scenario uses beside its tags (the permission
   * matrix derives its own from the contract). Returns why the scenario is not applicable when the
   * target lacks one of them.
   */
  takeUpTestSupport(capabilities: readonly string[]): string | undefined {
    const unmet = this.unmet(capabilities);
    if (unmet) return unmet;
    this.scenarioNeeds = new Set([...(this.scenarioNeeds ?? []), ...capabilities]);
    return undefined;
  }

  /** Why the target lacks this area of the API (`accounts`, `storage`...), or undefined when it has it as far as known. */
  lacks(area: string): string | undefined {
    return this.missing.get(`area:${area}`);
  }

  /** Before a request is sent: a test-support operation must be one the scenario declared. */
  checkDeclared(operation: OperationInfo): void {
    if (operation.testSupport && this.scenarioNeeds && !this.scenarioNeeds.has(operation.testSupport)) {
      throw new UndeclaredTestSupportError(operation.key, operation.testSupport);
    }
  }

  /**
   * Each final answer, before its contract check: "no such operation" fails the request as not
   * implemented. It marks the operation's whole area missing, so that the area's next scenarios
   * fail at once, unless discovery saw the area answer: then only this operation is missing.
   */
  checkImplemented(operation: OperationInfo, status: number): void {
    if (!operation.template) return;
    const area = operation.area ?? operation.key;
    const knownMissing = !operation.testSupport && this.missing.get(`area:${area}`);
    // A documented 404 of an area the target lacks is no "no such resource" either.
    if (knownMissing && (NO_SUCH_OPERATION as readonly number[]).includes(status)) throw new NotImplementedError(`the ${area} API`, knownMissing);
    if (!meansNoSuchOperation(status, operation.statuses)) return;
    const reason = `${operation.key} answered ${status}, which the contract does not document for it: the target has no such operation`;
    if (operation.testSupport) {
      this.missing.set(`test-support:${operation.testSupport}`, reason);
      throw new NotImplementedError(`the test support "${operation.testSupport}"`, reason);
    }
    if (!this.answered.has(area)) this.missing.set(`area:${area}`, reason);
    throw new NotImplementedError(this.answered.has(area) ? `${operation.key} of the ${area} API` : `the ${area} API`, reason);
  }

  private unmet(capabilities: readonly string[]): string | undefined {
    const unmet = capabilities.filter((need) => this.missing.has(`test-support:${need}`));
    if (unmet.length === 0) return undefined;
    return `not applicable: the target does not offer the test support ${unmet.map((need) => `"${need}" (${this.missing.get(`test-support:${need}`)})`).join(', ')}`;
  }
}

/** Whether a finding lets the scenarios that need it run (`unknown` does: the first answer will tell). */
export function isPresent(finding: Finding | undefined): boolean {
  return finding === undefined || finding.present !== false;
}

function groupBy<T>(items: T[], keyOf: (item: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) groups.set(keyOf(item), [...(groups.get(keyOf(item)) ?? []), item]);
  return groups;
}
