/** A scaling group's policy as clients state it (snake_case, like the API), its defaults and its validation. */

export interface VmTemplate {
  cpu_shares: number;
  memory_mb: number;
  image: string;
  /** Tags every member VM carries. */
  tags: string[];
}

export interface ScalingPolicy {
  min_size: number;
  max_size: number;
  /** Average CPU use of the members, in percent, above which the group grows. */
  cpu_scale_up_threshold: number;
  /** ...and below which (with memory also below its threshold) it shrinks. */
  cpu_scale_down_threshold: number;
  memory_scale_up_threshold: number;
  memory_scale_down_threshold: number;
  /** How far back the average reaches; a decision needs a window's worth of samples. */
  evaluation_window_seconds: number;
  /** Quiet time after a scaling action before the next one. */
  cooldown_seconds: number;
}

export interface ScalingGroupConfig extends ScalingPolicy {
  name: string;
  desired_size: number;
  vm_template: VmTemplate;
}

export interface FieldProblem {
  field: string;
  message: string;
}

export class GroupValidationError extends Error {
  constructor(readonly details: FieldProblem[]) {
    super(`invalid scaling group: ${details.map((d) => `${d.field} ${d.message}`).join('; ')}`);
    this.name = 'GroupValidationError';
  }
}

const GROUP_LIMITS = { maxSize: 100, maxSeconds: 3600, minWindowSeconds: 0.1 } as const;

const DEFAULT_POLICY: Readonly<Omit<ScalingPolicy, 'cooldown_seconds'>> = Object.freeze({
  min_size: 1,
  max_size: 5,
  cpu_scale_up_threshold: 70,
  cpu_scale_down_threshold: 30,
  memory_scale_up_threshold: 80,
  memory_scale_down_threshold: 30,
  evaluation_window_seconds: 1,
});

const DEFAULT_VM_TEMPLATE: Readonly<VmTemplate> = Object.freeze({ cpu_shares: 1, memory_mb: 512, image: 'ubuntu-24.04', tags: [] });

const NAME = /^[a-z][a-z0-9-]{0,39}$/;

/**
 * Validates a request for a new group and fills the defaults; throws GroupValidationError naming
 * every invalid field. `defaultCooldownSeconds` comes from the reference's timing table.
 */
export function parseGroupConfig(input: unknown, defaultCooldownSeconds: number, faults: { templateLimitsOffByOne?: boolean } = {}): ScalingGroupConfig {
  const problems: FieldProblem[] = [];
  const body = isRecord(input) ? input : (problems.push({ field: 'body', message: 'must be a JSON object' }), {});
  const name = body.name;
  if (typeof name !== 'string' || !NAME.test(name)) {
    problems.push({ field: 'name', message: 'must be 1-40 characters of a-z, 0-9 and -, starting with a letter' });
  }
  const number = (field: string, fallback: number, min: number, max: number, whole: boolean): number => {
    const value = body[field] ?? fallback;
    if (typeof value !== 'number' || !Number.isFinite(value) || value < min || value > max || (whole && !Number.isInteger(value))) {
      problems.push({ field, message: `must be a ${whole ? 'whole ' : ''}number from ${min} to ${max} (got ${JSON.stringify(value)})` });
      return fallback;
    }
    return value;
  };
  const min_size = number('min_size', DEFAULT_POLICY.min_size, 1, GROUP_LIMITS.maxSize, true);
  const max_size = number('max_size', Math.max(DEFAULT_POLICY.max_size, min_size), 1, GROUP_LIMITS.maxSize, true);
  const desired_size = number('desired_size', min_size, 1, GROUP_LIMITS.maxSize, true);
  const policy: ScalingPolicy = {
    min_size,
    max_size,
    cpu_scale_up_threshold: number('cpu_scale_up_threshold', DEFAULT_POLICY.cpu_scale_up_threshold, 0, 100, false),
    cpu_scale_down_threshold: number('cpu_scale_down_threshold', DEFAULT_POLICY.cpu_scale_down_threshold, 0, 100, false),
    memory_scale_up_threshold: number('memory_scale_up_threshold', DEFAULT_POLICY.memory_scale_up_threshold, 0, 100, false),
    memory_scale_down_threshold: number('memory_scale_down_threshold', DEFAULT_POLICY.memory_scale_down_threshold, 0, 100, false),
    evaluation_window_seconds: number('evaluation_window_seconds', DEFAULT_POLICY.evaluation_window_seconds, GROUP_LIMITS.minWindowSeconds, GROUP_LIMITS.maxSeconds, false),
    cooldown_seconds: number('cooldown_seconds', defaultCooldownSeconds, 0, GROUP_LIMITS.maxSeconds, false),
  };
  if (max_size < min_size) problems.push({ field: 'max_size', message: `must be at least min_size (${min_size}), got ${max_size}` });
  if (desired_size < min_size || desired_size > max_size) problems.push({ field: 'desired_size', message: `must be from min_size (${min_size}) to max_size (${max_size}), got ${desired_size}` });
  for (const metric of ['cpu', 'memory'] as const) {
    const up = policy[`${metric}_scale_up_threshold`];
    const down = policy[`${metric}_scale_down_threshold`];
    if (down >= up) problems.push({ field: `${metric}_scale_down_threshold`, message: `must be below ${metric}_scale_up_threshold (${up}), got ${down}` });
  }
  const vm_template = parseTemplate(body.vm_template, problems, faults.templateLimitsOffByOne ? 1 : 0);
  if (problems.length > 0) throw new GroupValidationError(problems);
  return { name: name as string, desired_size, vm_template, ...policy };
}

/** `cut` lowers every upper limit (a fault: limits off by one). */
function parseTemplate(input: unknown, problems: FieldProblem[], cut: number): VmTemplate {
  if (input === undefined) return { ...DEFAULT_VM_TEMPLATE, tags: [] };
  if (!isRecord(input)) {
    problems.push({ field: 'vm_template', message: 'must be an object with cpu_shares, memory_mb, image and tags' });
    return { ...DEFAULT_VM_TEMPLATE, tags: [] };
  }
  const template = { ...DEFAULT_VM_TEMPLATE, ...input } as Record<string, unknown>;
  const { cpu_shares, memory_mb, image, tags } = template;
  if (typeof cpu_shares !== 'number' || !Number.isInteger(cpu_shares) || cpu_shares < 1 || cpu_shares > 64 - cut) {
    problems.push({ field: 'vm_template.cpu_shares', message: `must be a whole number from 1 to 64 (got ${JSON.stringify(cpu_shares)})` });
  }
  if (typeof memory_mb !== 'number' || !Number.isInteger(memory_mb) || memory_mb < 128 || memory_mb > 262144 - cut) {
    problems.push({ field: 'vm_template.memory_mb', message: `must be a whole number from 128 to 262144 (got ${JSON.stringify(memory_mb)})` });
  }
  if (typeof image !== 'string' || image.length === 0 || image.length > 100 - cut) {
    problems.push({ field: 'vm_template.image', message: 'must be a non-empty string of at most 100 characters' });
  }
  const tagsOk = Array.isArray(tags) && tags.length <= 16 - cut && tags.every((tag) => typeof tag === 'string' && tag.length >= 1 && tag.length <= 64);
  if (!tagsOk) problems.push({ field: 'vm_template.tags', message: 'must be a list of at most 16 strings of 1 to 64 characters' });
  return { cpu_shares: cpu_shares as number, memory_mb: memory_mb as number, image: image as string, tags: tagsOk ? [...(tags as string[])] : [] };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
