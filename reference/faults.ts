import { AUTOSCALING_FAULTS } from './autoscaling/faults';
import { CONSENSUS_FAULTS } from './consensus/faults';
import { CORE_FAULTS } from './core/faults';
import { UI_FAULTS } from './core/ui/faults';
import type { FaultDefinition } from './define-faults';
import { FEDERATION_FAULTS, MIGRATION_FAULTS } from './federation/faults';
import { MLESTAR_FAULTS } from './mlestar/faults';
import { NETWORK_FAULTS } from './network/faults';
import { PERF_FAULTS } from './perf/faults';
import { STORAGE_FAULTS } from './storage/faults';

export type { FaultDefinition } from './define-faults';

/**
 * The fault catalog: named, documented defects the reference can be started with
 * (NOVACRON_FAULTS=a,b). Each fault lists the scenarios (exact `Scenario:` / `Scenario Outline:`
 * titles) that must fail when it is on; `npm run verify:faults` proves it.
 * Each domain declares its faults with `defineFaults` (./define-faults.ts) in
 * `reference/<domain>/faults.ts`; add its catalog here.
 */
export const FAULT_CATALOG: readonly FaultDefinition[] = checkCatalog([
  ...CORE_FAULTS.catalog,
  ...UI_FAULTS.catalog,
  ...PERF_FAULTS.catalog,
  ...CONSENSUS_FAULTS.catalog,
  ...AUTOSCALING_FAULTS.catalog,
  ...MLESTAR_FAULTS.catalog,
  ...FEDERATION_FAULTS.catalog,
  ...MIGRATION_FAULTS.catalog,
  ...STORAGE_FAULTS.catalog,
  ...NETWORK_FAULTS.catalog,
]);

const KNOWN_FAULTS: readonly string[] = FAULT_CATALOG.map((fault) => fault.name);

const KNOWN = new Set(KNOWN_FAULTS);

/** "none" or empty means no fault; an unknown name throws, listing the known ones. */
export function parseFaultNames(value: string): string[] {
  const names = value.split(',').map((name) => name.trim()).filter((name) => name !== '');
  if (names.length === 1 && names[0].toLowerCase() === 'none') return [];
  const unknown = names.filter((name) => !KNOWN.has(name));
  if (unknown.length > 0) {
    throw new Error(`unknown fault${unknown.length > 1 ? 's' : ''} ${unknown.join(', ')}; known faults: ${KNOWN_FAULTS.join(', ')}`);
  }
  return [...new Set(names)];
}

/** The faults switched on for one reference instance; a domain reads them with `<DOMAIN>_FAULTS.on(ctx.faults)` (./define-faults.ts). */
export class FaultSet {
  private readonly active: ReadonlySet<string>;

  constructor(names: readonly string[]) {
    this.active = new Set(names);
  }

  /** Throws for a name the catalog does not know, so a misspelt fault in code is found at once. */
  has(name: string): boolean {
    if (this.active.has(name)) return true;
    if (!KNOWN.has(name)) throw new Error(`fault "${name}" is not in the fault catalog (reference/faults.ts)`);
    return false;
  }

  get names(): string[] {
    return [...this.active];
  }
}

function checkCatalog(catalog: FaultDefinition[]): FaultDefinition[] {
  const seen = new Set<string>();
  for (const fault of catalog) {
    if (!/^[a-z0-9]+(-[a-z0-9]+)*$/.test(fault.name)) throw new Error(`fault name "${fault.name}" is not kebab-case`);
    if (seen.has(fault.name)) throw new Error(`fault "${fault.name}" is defined twice in the catalog`);
    if (fault.scenarios.length === 0) throw new Error(`fault "${fault.name}" names no scenario that it makes fail`);
    seen.add(fault.name);
  }
  return catalog;
}
