/** CPU and memory, the two resources placement and migration reason about. */
export interface Resources {
  cpu: number;
  memory_mb: number;
}

export interface NodeCapacity extends Resources {
  id: string;
}

export const NO_RESOURCES: Resources = Object.freeze({ cpu: 0, memory_mb: 0 });

export function add(a: Resources, b: Resources): Resources {
  return { cpu: a.cpu + b.cpu, memory_mb: a.memory_mb + b.memory_mb };
}

export function subtract(a: Resources, b: Resources): Resources {
  return { cpu: a.cpu - b.cpu, memory_mb: a.memory_mb - b.memory_mb };
}

export function fits(demand: Resources, free: Resources): boolean {
  return demand.cpu <= free.cpu && demand.memory_mb <= free.memory_mb;
}

export function total(items: Iterable<Resources>): Resources {
  let sum = NO_RESOURCES;
  for (const item of items) sum = add(sum, item);
  return sum;
}

export function describeResources(r: Resources): string {
  return `${r.cpu} CPU${r.cpu === 1 ? '' : 's'} and ${r.memory_mb} MB`;
}
