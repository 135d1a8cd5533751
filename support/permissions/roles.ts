import type { HttpMethod } from '../api-client';
import type { Role } from '../world';

/** The roles in the order of what they may do; `anyone` needs no sign-in. */
const ROLE_LADDER = ['anyone', 'viewer', 'operator', 'admin'] as const;
export type MinimumRole = (typeof ROLE_LADDER)[number];

/** Who calls an operation in the permission matrix. */
export type Caller = 'nobody signed in' | Role;
export const CALLERS: readonly Caller[] = ['nobody signed in', 'viewer', 'operator', 'admin'];

/** An operation of the contract with the lowest role that may call it (`x-minimum-role`). */
export interface GuardedOperation {
  /** `METHOD /template`, e.g. `DELETE /api/v1/vms/{id}` */
  key: string;
  method: HttpMethod;
  template: string;
  minimumRole: MinimumRole;
}

const METHODS: readonly HttpMethod[] = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'];
type Json = Record<string, unknown>;

function rank(role: MinimumRole | Role): number {
  return ROLE_LADDER.indexOf(role);
}

/** What the contract promises the caller: allowed, or refused as unauthenticated (401) or forbidden (403). */
export function verdictFor(caller: Caller, minimumRole: MinimumRole): 'allowed' | 401 | 403 {
  if (minimumRole === 'anyone') return 'allowed';
  if (caller === 'nobody signed in') return 401;
  return rank(caller) >= rank(minimumRole) ? 'allowed' : 403;
}

function operationsOf(document: Json): { method: HttpMethod; template: string; operation: Json }[] {
  return Object.entries((document.paths ?? {}) as Json).flatMap(([template, item]) =>
    METHODS.filter((method) => (item as Json)[method.toLowerCase()] !== undefined).map((method) => ({
      method,
      template,
      operation: (item as Json)[method.toLowerCase()] as Json,
    })),
  );
}

/**
 * Every way the contract's role declarations are incomplete or contradict themselves: an operation
 * without `x-minimum-role` or with an unknown one, a public operation that still asks for a token
 * (or the reverse), a guarded one that does not document its 401, or one closed to viewers that does not document its 403.
 */
export function minimumRoleProblems(document: Json): string[] {
  const problems: string[] = [];
  for (const { method, template, operation } of operationsOf(document)) {
    const key = `${method} ${template}`;
    const declared = operation['x-minimum-role'];
    if (declared === undefined) {
      problems.push(`${key} has no x-minimum-role: expected one of ${ROLE_LADDER.join(', ')}`);
      continue;
    }
    if (!ROLE_LADDER.includes(declared as MinimumRole)) {
      problems.push(`${key} has x-minimum-role "${String(declared)}": expected one of ${ROLE_LADDER.join(', ')}`);
      continue;
    }
    const responses = (operation.responses ?? {}) as Json;
    const isPublic = Array.isArray(operation.security) && operation.security.length === 0;
    if (declared === 'anyone' && !isPublic) problems.push(`${key} is open to anyone but does not declare "security: []"`);
    if (declared !== 'anyone' && isPublic) problems.push(`${key} declares "security: []" but its x-minimum-role is ${String(declared)}`);
    if (declared !== 'anyone' && !('401' in responses)) problems.push(`${key} needs a sign-in but documents no 401 answer`);
    if ((declared === 'operator' || declared === 'admin') && !('403' in responses)) problems.push(`${key} is closed to viewers but documents no 403 answer`);
  }
  return problems;
}

/** The contract's operations with their lowest role; fails on the first problem `minimumRoleProblems` finds. */
export function guardedOperations(document: Json): GuardedOperation[] {
  const problems = minimumRoleProblems(document);
  if (problems.length) throw new Error(`the contract's role declarations are incomplete: ${problems[0]}`);
  return operationsOf(document).map(({ method, template, operation }) => ({
    key: `${method} ${template}`,
    method,
    template,
    minimumRole: operation['x-minimum-role'] as MinimumRole,
  }));
}
