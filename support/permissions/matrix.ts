import { AssertionError } from 'node:assert/strict';
import { isDeepStrictEqual } from 'node:util';
import type { ApiResponse } from '../api-client';
import { signInAs } from '../tasks/accounts';
import type { NovaWorld, Role } from '../world';
import { Fixtures } from './fixtures';
import type { Answer, Area, Call, CallerAccount, ProbeContext } from './probe';
import { PROBES } from './probes';
import { CALLERS, guardedOperations, verdictFor, type Caller, type GuardedOperation } from './roles';

/** One cell of the matrix: an operation called by one caller, what the contract promises and what happened. */
export interface MatrixCell {
  operation: string;
  caller: Caller;
  expected: 'allowed' | 401 | 403;
  answered?: number;
  /** Why the cell breaks the contract; undefined when it holds. */
  problem?: string;
}

/** Operations of an area called at once (each one's callers take turns); outages one at a time. */
const CONCURRENCY: Partial<Record<Area, number>> = { 'outages of control plane components': 1 };
const DEFAULT_CONCURRENCY = 4;

const shown = (value: unknown): string => (JSON.stringify(value) ?? String(value)).slice(0, 240);
/** The first line of an error, with what an assertion compared. */
function messageOf(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const [first] = error.message.split('\n');
  if (!(error instanceof AssertionError) || error.operator === 'fail') return first;
  return `${first} (got ${shown(error.actual)}, expected ${shown(error.expected)})`;
}

/** The operations of the contract whose probe belongs to `area`. */
function operationsOf(world: NovaWorld, area: Area): GuardedOperation[] {
  const operations = guardedOperations(world.suite.contract.document);
  const unprobed = operations.filter((operation) => !PROBES[operation.key]);
  if (unprobed.length) throw new Error(`the permission matrix has no probe for ${unprobed.map((o) => o.key).join(', ')} (support/permissions/probes)`);
  return operations.filter((operation) => PROBES[operation.key].area === area);
}

/**
 * Test support the fixtures of an area use beside its operations' own (a simulated cluster to read
 * from, a member made reachable again before it is removed). The API client refuses any other.
 */
const FIXTURE_TEST_SUPPORT: Partial<Record<Area, string[]>> = {
  consensus: ['sandbox-clusters'],
  federation: ['federation-reachability'],
};

/** The test-support capabilities trying every operation of `area` needs: those of its operations and of its fixtures. */
export function testSupportOf(world: NovaWorld, area: Area): string[] {
  const needs = operationsOf(world, area).flatMap((operation) => world.suite.contract.describe(operation.method, operation.template).testSupport ?? []);
  return [...new Set([...needs, ...(FIXTURE_TEST_SUPPORT[area] ?? [])])].sort();
}

/** The areas of the API (contract tags) the operations of `area` belong to. */
export function apiAreasOf(world: NovaWorld, area: Area): string[] {
  return [...new Set(operationsOf(world, area).flatMap((operation) => world.suite.contract.describe(operation.method, operation.template).area ?? []))].sort();
}

async function send(world: NovaWorld, operation: GuardedOperation, call: Call, token: string | undefined): Promise<ApiResponse> {
  if (call.send) {
    const answer: Answer = await call.send(token);
    return { ...answer, headers: {}, durationMs: 0 };
  }
  return world.suite.client(token).request(operation.method, call.path, call.body, { params: call.params, retries: 0 });
}

/** The statuses the contract promises when the call is allowed: its success statuses (101 for the event stream). */
function promised(world: NovaWorld, operation: GuardedOperation, path: string): number[] {
  const statuses = world.suite.contract.successStatuses(operation.method, path);
  return statuses.length ? statuses : [101];
}

async function judge(world: NovaWorld, operation: GuardedOperation, context: ProbeContext): Promise<MatrixCell> {
  const expected = verdictFor(context.caller, operation.minimumRole);
  const cell: MatrixCell = { operation: operation.key, caller: context.caller, expected };
  let call: Call;
  let before: unknown;
  try {
    call = await PROBES[operation.key].prepare(context);
    before = await call.observe?.();
  } catch (error) {
    return { ...cell, problem: `could not be prepared: ${messageOf(error)}` };
  }
  const token = call.token ?? context.account?.token;
  let answer: ApiResponse;
  try {
    answer = await send(world, operation, call, context.caller === 'nobody signed in' ? undefined : token);
  } catch (error) {
    return { ...cell, problem: `the call failed: ${messageOf(error)}` };
  }
  cell.answered = answer.status;
  if (expected !== 'allowed') {
    if (answer.status !== expected) return { ...cell, problem: `answered ${answer.status} ${shown(answer.data)} where the contract promises ${expected}` };
    if (!call.observe) return cell;
    const after = await call.observe();
    return isDeepStrictEqual(before, after) ? cell : { ...cell, problem: `was refused, yet changed what the administrator sees: ${shown(before)} became ${shown(after)}` };
  }
  const success = promised(world, operation, call.path);
  if (!success.includes(answer.status)) return { ...cell, problem: `answered ${answer.status} ${shown(answer.data)} where the contract promises ${success.join(' or ')}` };
  try {
    await call.effect(answer, before);
  } catch (error) {
    return { ...cell, problem: `answered ${answer.status}, but ${messageOf(error)}` };
  }
  return cell;
}

/**
 * Calls every operation of the area as every caller (nobody signed in, viewer, operator, admin) and
 * judges each call against the contract's `x-minimum-role`: refused with 401 or 403 and nothing
 * changed below it; from it up, answered with the promised success and with its effect in place.
 */
export async function tryEveryOperation(world: NovaWorld, area: Area): Promise<MatrixCell[]> {
  const operations = operationsOf(world, area);
  const admin = await world.suite.admin();
  const fixtures = new Fixtures(world, admin);
  const accounts = new Map<Role, CallerAccount>();
  for (const role of ['viewer', 'operator', 'admin'] as const) {
    const actor = await signInAs(world, role);
    accounts.set(role, { userId: actor.userId, username: actor.username, password: actor.password, token: actor.token });
  }
  const cells: MatrixCell[] = [];
  let next = 0;
  const lane = async (): Promise<void> => {
    while (next < operations.length) {
      const operation = operations[next++];
      for (const caller of CALLERS) {
        const account = caller === 'nobody signed in' ? undefined : accounts.get(caller);
        cells.push(await judge(world, operation, { world, admin, caller, fixtures, account }));
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(CONCURRENCY[area] ?? DEFAULT_CONCURRENCY, operations.length) }, lane));
  const order = (cell: MatrixCell) => operations.findIndex((o) => o.key === cell.operation) * CALLERS.length + CALLERS.indexOf(cell.caller);
  return cells.sort((a, b) => order(a) - order(b));
}

/** The matrix as a table for the report: one row per operation, one column per caller. */
export function matrixTable(cells: MatrixCell[]): string {
  const rows = new Map<string, MatrixCell[]>();
  for (const cell of cells) rows.set(cell.operation, [...(rows.get(cell.operation) ?? []), cell]);
  const mark = (cell: MatrixCell) => `${cell.expected === 'allowed' ? 'allowed' : `refused (${cell.expected})`}${cell.problem ? ' FAILED' : ''}`;
  return [
    `| operation | ${CALLERS.join(' | ')} |`,
    `|---|${CALLERS.map(() => '---').join('|')}|`,
    ...[...rows].map(([operation, row]) => `| ${operation} | ${row.map(mark).join(' | ')} |`),
  ].join('\n');
}

/** One line per broken cell, e.g. `viewer DELETE /api/v1/vms/{id}: answered 200 ... where the contract promises 403`. */
export function matrixProblems(cells: MatrixCell[]): string[] {
  return cells.filter((cell) => cell.problem).map((cell) => `${cell.caller} ${cell.operation}: ${cell.problem ?? ''}`);
}
