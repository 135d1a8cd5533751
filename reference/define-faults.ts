/**
 * The one way a domain declares its faults and reads them.
 *
 * Declare, in `reference/<domain>/faults.ts`:
 *   export const STORAGE_FAULTS = defineFaults({
 *     doubleAttach: { name: 'storage-allows-double-attach', description: '...', scenarios: [S.attach] },
 *   });
 * and add `STORAGE_FAULTS.catalog` to FAULT_CATALOG (reference/faults.ts).
 *
 * Read, anywhere in the domain: `STORAGE_FAULTS.on(ctx.faults).doubleAttach` (a boolean; a
 * misspelt key does not compile), or pass `STORAGE_FAULTS.on(ctx.faults)` (type
 * `FaultFlags<typeof STORAGE_FAULTS>`) to the domain's classes, with `STORAGE_FAULTS.none` as their
 * default. Code never asks a FaultSet for a name itself.
 */

/** One entry of the fault catalog. */
export interface FaultDefinition {
  /** kebab-case, unique across the catalog. */
  readonly name: string;
  /** The defect in one sentence, as an engineer would report it. */
  readonly description: string;
  /** Scenario titles (exact `Scenario:` / `Scenario Outline:` titles) that must fail with this fault on. */
  readonly scenarios: readonly string[];
}

/** Anything that answers whether a named fault is on: the reference's FaultSet, a Set in tests. */
export interface FaultSwitch {
  has(name: string): boolean;
}

export interface DomainFaults<K extends string> {
  /** Each fault's catalog name by its key. */
  readonly names: { readonly [P in K]: string };
  /** The domain's catalog entries, in declaration order. */
  readonly catalog: readonly FaultDefinition[];
  /** Every fault off. */
  readonly none: { readonly [P in K]: boolean };
  /** Which of the domain's faults are on (all off for undefined). Computed once per switch. */
  on(faults: FaultSwitch | undefined): { readonly [P in K]: boolean };
}

/** The flags a domain's `on` returns: `FaultFlags<typeof NETWORK_FAULTS>`. */
export type FaultFlags<D> = D extends DomainFaults<infer K> ? { readonly [P in K]: boolean } : never;

export function defineFaults<K extends string>(faults: { readonly [P in K]: FaultDefinition }): DomainFaults<K> {
  const keys = Object.keys(faults) as K[];
  const names = Object.freeze(Object.fromEntries(keys.map((key) => [key, faults[key].name]))) as { readonly [P in K]: string };
  const flags = (on: (name: string) => boolean): { readonly [P in K]: boolean } =>
    Object.freeze(Object.fromEntries(keys.map((key) => [key, on(faults[key].name)]))) as { readonly [P in K]: boolean };
  const none = flags(() => false);
  const seen = new WeakMap<FaultSwitch, { readonly [P in K]: boolean }>();
  return {
    names,
    catalog: Object.freeze(keys.map((key) => faults[key])),
    none,
    on(switches) {
      if (switches === undefined) return none;
      let found = seen.get(switches);
      if (found === undefined) {
        found = flags((name) => switches.has(name));
        seen.set(switches, found);
      }
      return found;
    },
  };
}
