import type { ApiResponse } from '../api-client';

/** Fails with the operation, the expected and actual status, and the target's own words. */
export function expectStatus(response: ApiResponse, expected: number | number[], doing: string): void {
  const allowed = Array.isArray(expected) ? expected : [expected];
  if (allowed.includes(response.status)) return;
  const said = (response.data as { error?: string } | undefined)?.error;
  throw new Error(
    `${doing}: expected ${allowed.join(' or ')} from ${response.operation}, got ${response.status}${said ? ` ("${said}")` : ''}`,
  );
}

/** Polls `probe` until it returns a value `done` accepts, or fails after `timeoutMs` with the last value seen. */
export async function eventually<T>(
  probe: () => Promise<T>,
  done: (value: T) => boolean,
  { timeoutMs, intervalMs = 50, what }: { timeoutMs: number; intervalMs?: number; what: string },
): Promise<{ value: T; elapsedMs: number }> {
  const started = performance.now();
  let last: T;
  for (;;) {
    last = await probe();
    const elapsedMs = performance.now() - started;
    if (done(last)) return { value: last, elapsedMs };
    if (elapsedMs >= timeoutMs) {
      throw new Error(`${what} did not happen within ${timeoutMs} ms (last seen: ${describe(last)})`);
    }
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

function describe(value: unknown): string {
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  return text && text.length > 200 ? `${text.slice(0, 197)}...` : String(text);
}
