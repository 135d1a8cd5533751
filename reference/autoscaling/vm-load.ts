import type { MemberMetrics } from './autoscaler';

/** What a VM reports while nothing loads it. */
export const IDLE_LOAD: Readonly<MemberMetrics> = Object.freeze({ cpu_usage: 5, memory_usage: 20 });

/**
 * The simulated hypervisor's load generator: the CPU and memory use each VM reports. A load can
 * be set on one VM, or on a scaling group, where it applies to every member the group has or
 * adds later (the usual shape of a test: "the whole tier is busy"). A VM's own load wins.
 */
export class SimulatedVmLoad {
  private readonly byVm = new Map<string, MemberMetrics>();
  private readonly byGroup = new Map<string, MemberMetrics>();

  setVmLoad(vmId: string, load: MemberMetrics): void {
    this.byVm.set(vmId, { ...load });
  }

  /** Sets the load of a group's members, present and future; per-VM loads of `members` are dropped. */
  setGroupLoad(groupId: string, members: readonly string[], load: MemberMetrics): void {
    this.byGroup.set(groupId, { ...load });
    for (const vmId of members) this.byVm.delete(vmId);
  }

  /** The load a VM reports; `groupId` is the group it belongs to, if any. */
  loadOf(vmId: string, groupId?: string): MemberMetrics {
    return { ...(this.byVm.get(vmId) ?? (groupId === undefined ? undefined : this.byGroup.get(groupId)) ?? IDLE_LOAD) };
  }

  forgetVm(vmId: string): void {
    this.byVm.delete(vmId);
  }

  forgetGroup(groupId: string): void {
    this.byGroup.delete(groupId);
  }
}

/** A load from a request: both figures in percent; a missing one keeps the idle value. Throws naming the bad field. */
export function parseLoad(input: unknown): MemberMetrics {
  const body = typeof input === 'object' && input !== null && !Array.isArray(input) ? (input as Record<string, unknown>) : undefined;
  if (!body) throw new LoadValidationError('body', 'must be a JSON object with cpu_usage and/or memory_usage');
  const unknown = Object.keys(body).find((key) => !Object.hasOwn(IDLE_LOAD, key));
  if (unknown !== undefined) throw new LoadValidationError(unknown, 'is not part of a load: cpu_usage and memory_usage are');
  const read = (field: keyof MemberMetrics): number => {
    const value = body[field] ?? IDLE_LOAD[field];
    if (typeof value !== 'number' || !Number.isFinite(value) || value < 0 || value > 100) {
      throw new LoadValidationError(field, `must be a percentage from 0 to 100 (got ${JSON.stringify(value)})`);
    }
    return value;
  };
  if (body.cpu_usage === undefined && body.memory_usage === undefined) throw new LoadValidationError('cpu_usage', 'or memory_usage is required');
  return { cpu_usage: read('cpu_usage'), memory_usage: read('memory_usage') };
}

export class LoadValidationError extends Error {
  constructor(
    readonly field: string,
    readonly problem: string,
  ) {
    super(`${field} ${problem}`);
    this.name = 'LoadValidationError';
  }
}
