import { apiAreas, contractOperations, NO_SUCH_OPERATION, testSupportCapabilities, type ContractOperation } from './capabilities';
import { redactUrl } from './redact';

/** The variable by which the run's coordinator hands its discovery to the workers. */
export const DISCOVERY_VARIABLE = 'NOVACRON_TARGET_DISCOVERY';

/** `true` offered, `false` absent, `'unknown'` when the target's answers could not tell (then it counts as offered). */
export type Presence = boolean | 'unknown';

export interface Finding {
  present: Presence;
  /** The request and its answer, e.g. `POST /api/v1/simulation/vms/{id}/load without a session answered 404`. */
  evidence: string;
}

/** What the suite found out at start about the target, without changing anything on it. */
export interface Discovery {
  target: { url: string; service?: string; version?: string; health?: string };
  /** Test-support capability -> whether the target offers it. */
  testSupport: Record<string, Finding>;
  /** Area of the API -> whether the target implements it. */
  areas: Record<string, Finding>;
  durationMs: number;
}

const PROBE_TIMEOUT_MS = 2000;
const PLACEHOLDER = 'novacron-spec-discovery';

/**
 * Asks the target, without a session and so without side effects, which operations it has: one
 * request per test-support capability, and per area of the API one per read without parameters. An operation that exists refuses
 * the anonymous call (401/403) or answers it; one that does not answers 404, 405 or 501. A first
 * request to a path no NovaCron has tells whether the target routes before it authenticates; when
 * it does not (it answers 401 to anything), every finding is `unknown` and the run finds out as it goes.
 */
export async function discover(url: string, operations: ContractOperation[] = contractOperations()): Promise<Discovery> {
  const started = performance.now();
  const base = url.replace(/\/+$/, '');
  const [health, control, capabilityFindings, areaFindings] = await Promise.all([
    probe(base, 'GET', '/health'),
    probe(base, 'GET', `/api/v1/${PLACEHOLDER}-no-such-operation`),
    Promise.all([...testSupportCapabilities(operations)].map(async ([name, members]) => [name, await find(base, pick(members))] as const)),
    Promise.all([...apiAreas(operations)].map(async ([name, members]) => [name, await findAny(base, readsOf(members))] as const)),
  ]);
  const routesFirst = control.status !== undefined && (NO_SUCH_OPERATION as readonly number[]).includes(control.status);
  const settle = (findings: readonly (readonly [string, Finding])[]): Record<string, Finding> =>
    Object.fromEntries(
      findings.map(([name, finding]) => [
        name,
        routesFirst || finding.present !== true
          ? finding
          : { present: 'unknown' as const, evidence: `${finding.evidence}, but so did a path no NovaCron has (${control.evidence}): cannot tell` },
      ]),
    );
  const body = health.body as { service?: unknown; version?: unknown; status?: unknown } | undefined;
  return {
    target: {
      url: redactUrl(base),
      ...(typeof body?.service === 'string' ? { service: body.service } : {}),
      ...(typeof body?.version === 'string' ? { version: body.version } : {}),
      ...(typeof body?.status === 'string' ? { health: body.status } : {}),
    },
    testSupport: settle(capabilityFindings),
    areas: settle(areaFindings),
    durationMs: Math.round(performance.now() - started),
  };
}

/** The operation that says most about its group: a guarded read without path parameters, if there is one. */
function pick(operations: ContractOperation[]): ContractOperation {
  const score = (operation: ContractOperation): number =>
    (operation.minimumRole === 'anyone' ? 0 : 4) + (operation.method === 'GET' ? 2 : 0) + (operation.template.includes('{') ? 0 : 1);
  return [...operations].sort((a, b) => score(b) - score(a) || a.key.localeCompare(b.key))[0];
}

/** An area's reads without path parameters (at least one operation): one that answers is enough to say the area is there. */
function readsOf(operations: ContractOperation[]): ContractOperation[] {
  const reads = operations.filter((operation) => operation.method === 'GET' && !operation.template.includes('{'));
  return reads.length ? reads : [pick(operations)];
}

async function findAny(base: string, operations: ContractOperation[]): Promise<Finding> {
  const findings = await Promise.all(operations.map((operation) => find(base, operation)));
  return findings.find((finding) => finding.present === true) ?? findings.find((finding) => finding.present === 'unknown') ?? {
    present: false,
    evidence: findings.length === 1 ? findings[0].evidence : `${findings.length} operations without a session answered 404, 405 or 501, e.g. ${findings[0].evidence}`,
  };
}

async function find(base: string, operation: ContractOperation): Promise<Finding> {
  const path = operation.template.replace(/\{[^}]+\}/g, PLACEHOLDER);
  const answer = await probe(base, operation.method, path);
  const evidence = `${operation.key} without a session ${answer.evidence}`;
  if (answer.status === undefined) return { present: 'unknown', evidence };
  return { present: !(NO_SUCH_OPERATION as readonly number[]).includes(answer.status), evidence };
}

async function probe(base: string, method: string, path: string): Promise<{ status?: number; body?: unknown; evidence: string }> {
  try {
    const response = await fetch(`${base}${path}`, { method, signal: AbortSignal.timeout(PROBE_TIMEOUT_MS), redirect: 'manual' });
    const text = await response.text();
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      body = undefined;
    }
    return { status: response.status, body, evidence: `answered ${response.status}` };
  } catch (error) {
    return { evidence: `got no answer (${(error as Error).message})` };
  }
}

export function parseDiscovery(text: string | undefined): Discovery | undefined {
  if (!text) return undefined;
  try {
    return JSON.parse(text) as Discovery;
  } catch {
    throw new Error(`${DISCOVERY_VARIABLE} is not valid JSON: it is set by the run's coordinator, unset it`);
  }
}
