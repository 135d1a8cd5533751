export const VM_STATES = ['creating', 'provisioning', 'running', 'stopped', 'paused', 'migrating', 'deleting', 'failed'] as const;
export type VmState = (typeof VM_STATES)[number];

export const VM_ACTIONS = ['start', 'stop', 'pause', 'resume'] as const;
export type VmAction = (typeof VM_ACTIONS)[number];

export interface Vm {
  readonly id: string;
  readonly name: string;
  readonly state: VmState;
  readonly cpu_shares: number;
  readonly memory_mb: number;
  readonly disk_gb: number;
  readonly image: string;
  readonly tags: readonly string[];
  readonly node_id: string;
  readonly created_at: string;
  readonly updated_at: string;
}

/** One entry of a VM's history. Lifecycle actions: create, provision, ready, start, stop, pause, resume. */
export interface VmEvent {
  readonly id: string;
  /** Position in this VM's history, from 1. */
  readonly sequence: number;
  readonly vm_id: string;
  /** `lifecycle`, or a type added by another domain (e.g. `autoscaling`). */
  readonly type: string;
  readonly action: string;
  readonly from_state?: VmState;
  readonly to_state?: VmState;
  readonly timestamp: string;
  readonly details?: Readonly<Record<string, unknown>>;
}

/** The user actions of the state machine: from which states each is allowed, and where it leads. */
export const TRANSITIONS: Readonly<Record<VmAction, { from: readonly VmState[]; to: VmState }>> = {
  start: { from: ['stopped'], to: 'running' },
  stop: { from: ['running', 'paused'], to: 'stopped' },
  pause: { from: ['running'], to: 'paused' },
  resume: { from: ['paused'], to: 'running' },
};

/** Automatic provisioning: creating -> provisioning (`provision`) -> running (`ready`). */
export const PROVISIONING_STEPS: Readonly<Partial<Record<VmState, { to: VmState; action: string }>>> = {
  creating: { to: 'provisioning', action: 'provision' },
  provisioning: { to: 'running', action: 'ready' },
};

/** The state `action` leads to from `state`, or undefined when the state machine forbids it. */
export function nextState(state: VmState, action: VmAction): VmState | undefined {
  const transition = TRANSITIONS[action];
  return transition.from.includes(state) ? transition.to : undefined;
}

export function isVmAction(value: string): value is VmAction {
  return (VM_ACTIONS as readonly string[]).includes(value);
}

export function isVmState(value: string): value is VmState {
  return (VM_STATES as readonly string[]).includes(value);
}
