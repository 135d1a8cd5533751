/** What the suite creates on a target, by kind, and the list that shows it. */
export const RESOURCE_LISTS: readonly { kind: string; path: string }[] = [
  { kind: 'VMs', path: '/api/v1/vms' },
  { kind: 'users', path: '/api/v1/users' },
  { kind: 'volumes', path: '/api/v1/storage/volumes' },
  { kind: 'networks', path: '/api/v1/networks' },
  { kind: 'network policies', path: '/api/v1/network-policies' },
  { kind: 'scaling groups', path: '/api/v1/autoscaling/groups' },
  { kind: 'MLE-Star projects', path: '/api/v1/mlestar/projects' },
  { kind: 'federation members', path: '/api/v1/federation/members' },
];

const PAGE_SIZE = 500;
const MAX_PAGES = 20;
const TIMEOUT_MS = 5000;

/** Kind -> id -> a readable name; kinds the target does not list (no such operation, refused) are left out. */
export type Inventory = Record<string, Record<string, string>>;

/** Every resource of each kind on the target, read as the administrator (reads only). */
export async function takeInventory(baseUrl: string, token: string): Promise<Inventory> {
  const base = baseUrl.replace(/\/+$/, '');
  const inventory: Inventory = {};
  await Promise.all(
    RESOURCE_LISTS.map(async ({ kind, path }) => {
      const found: Record<string, string> = {};
      for (let page = 1; page <= MAX_PAGES; page++) {
        const response = await fetch(`${base}${path}?page=${page}&page_size=${PAGE_SIZE}`, { headers: { authorization: `Bearer ${token}` }, signal: AbortSignal.timeout(TIMEOUT_MS) }).catch(() => undefined);
        if (!response?.ok) return;
        const body = (await response.json().catch(() => undefined)) as { items?: unknown } | unknown[] | undefined;
        const items = (Array.isArray(body) ? body : Array.isArray(body?.items) ? body.items : []) as Record<string, unknown>[];
        for (const item of items) if (typeof item.id === 'string') found[item.id] = String(item.name ?? item.username ?? item.id);
        if (Array.isArray(body) || items.length < PAGE_SIZE) break;
      }
      inventory[kind] = found;
    }),
  );
  return inventory;
}

/** What `after` holds that `before` did not, by kind (kinds with nothing new left out). */
export function leftOver(before: Inventory, after: Inventory): Record<string, string[]> {
  const left: Record<string, string[]> = {};
  for (const [kind, items] of Object.entries(after)) {
    const known = before[kind];
    if (!known) continue;
    const added = Object.entries(items).filter(([id]) => !(id in known)).map(([id, name]) => (name === id ? id : `${name} (${id})`));
    if (added.length) left[kind] = added.sort();
  }
  return left;
}

/** One line for the end of the run. */
export function leftoversLine(left: Record<string, string[]>, checked: string[]): string {
  const kinds = Object.entries(left);
  if (kinds.length === 0) return `[target] the run left nothing behind (${checked.join(', ')} as before it)`;
  return `[target] the run left behind ${kinds.map(([kind, items]) => `${items.length} ${kind}: ${items.slice(0, 5).join(', ')}${items.length > 5 ? ', ...' : ''}`).join('; ')} (or someone else created them meanwhile)`;
}

/** Signs in as the administrator for the inventory; undefined when the target refuses. */
export async function adminToken(baseUrl: string, username: string, password: string): Promise<string | undefined> {
  const response = await fetch(`${baseUrl.replace(/\/+$/, '')}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username, password }),
    signal: AbortSignal.timeout(TIMEOUT_MS),
  }).catch(() => undefined);
  if (!response?.ok) return undefined;
  const body = (await response.json().catch(() => undefined)) as { token?: unknown } | undefined;
  return typeof body?.token === 'string' ? body.token : undefined;
}
