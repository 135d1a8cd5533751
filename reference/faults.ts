import { faults as autoscalingFaults } from './autoscaling/faults';
import { faults as consensusFaults } from './consensus/faults';
import { faults as coreFaults } from './core/faults';
import { faults as federationFaults } from './federation/faults';
import { faults as mlestarFaults } from './mlestar/faults';
import { faults as networkFaults } from './network/faults';
import { faults as perfFaults } from './perf/faults';
import { faults as storageFaults } from './storage/faults';

/**
 * The fault catalog: named, documented defects the reference can be started with
 * (NOVACRON_FAULTS=a,b). Each fault lists the scenarios (exact `Scenario:` / `Scenario Outline:`
 * titles) that must fail when it is on; `npm run verify:faults` proves it.
 * Each domain keeps its own list in `reference/<domain>/faults.ts`; add it to FAULT_CATALOG.
 */
export interface FaultDefinition {
  /** kebab-case, unique across the catalog. */
  readonly name: string;
  /** The defect in one sentence, as an engineer would report it. */
  readonly description: string;
  /** Scenario titles that must fail with this fault on. */
  readonly scenarios: readonly string[];
}

export const FAULT_CATALOG: readonly FaultDefinition[] = checkCatalog([...coreFaults, ...perfFaults, ...consensusFaults, ...autoscalingFaults, ...mlestarFaults, ...federationFaults, ...storageFaults, ...networkFaults]);

export const KNOWN_FAULTS: readonly string[] = FAULT_CATALOG.map((fault) => fault.name);

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

/** The faults switched on for one reference instance: `ctx.faults.has('vm-stuck-provisioning')`. */
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
