/** The HTTP client a load sends its requests through, signed in as the scenario's actor or as each simulated user. */
import { LoadHttpClient } from '../../load';
import type { NovaWorld } from '../../world';

const REQUEST_TIMEOUT_MS = 30_000;

/** A load client for the target, signed in as `token` (the actor by default; null: each request signs itself). */
export function loadClient(world: NovaWorld, connections: number, token: string | null = world.actor.token): LoadHttpClient {
  return new LoadHttpClient(world.suite.apiUrl, {
    connections,
    timeoutMs: REQUEST_TIMEOUT_MS,
    headers: token ? { authorization: `Bearer ${token}` } : {},
  });
}

/** Runs `work` with the client, and closes the client's connections whatever happens. */
export async function withClient<T>(client: LoadHttpClient, work: (client: LoadHttpClient) => Promise<T>): Promise<T> {
  try {
    return await work(client);
  } finally {
    await client.destroy();
  }
}
