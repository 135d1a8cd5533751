import type { FaultDefinition } from '../faults';

// Scenario titles of features/system/backend/{vm-lifecycle,health}.feature.
const VM_PROVISIONED = 'A requested virtual machine is provisioned and starts running';
const VM_FULL_CYCLE = 'The complete create, start, stop and delete cycle';
const VM_PAUSE_RESUME = 'A paused virtual machine resumes where it was';
const VM_FORBIDDEN_CHANGE = "A change the machine's current state does not allow is refused";
const VM_INVALID_REQUEST = 'An invalid request is refused with a reason for the offending field';
const VM_UNIQUE_NAME = 'Two virtual machines cannot share a name';
const VM_UNKNOWN = 'Asking for a virtual machine that does not exist';
const VM_ANNOUNCED = 'Every state change is announced in real time, in order';
const HEALTH_COMPONENTS = 'A healthy control plane reports each of its components';
const HEALTH_VIEWS_AGREE = 'The load balancer check and the detailed health view agree';
const HEALTH_FAILED_COMPONENT = 'A failed component shows in the health, which recovers without a restart';
const DATABASE_DOWN = 'While the database is down, changes are refused and nothing is half-written';

// Proposed titles for features not written yet (security, auth flows, real-time updates, REST API).
const ROLE_MATRIX = 'What each role may do with virtual machines';
const LOGOUT = 'Signing out ends the session at once';
const REFRESH_ONCE = 'A refresh token works only once';
const NO_PASSWORD = 'Account details never reveal a password';
const STREAM_NEEDS_SIGN_IN = 'The real-time stream is only for signed-in users';
const STREAM_RESUME = 'A client that reconnects receives every update it missed';
const RATE_LIMIT_HEADERS = 'Every answer tells the client its rate limit';

/** Titles proposed above for features that are not written yet: rename here when they are. */
export const PROPOSED_SCENARIO_TITLES: readonly string[] = [
  ROLE_MATRIX,
  LOGOUT,
  REFRESH_ONCE,
  NO_PASSWORD,
  STREAM_NEEDS_SIGN_IN,
  STREAM_RESUME,
  RATE_LIMIT_HEADERS,
];

export const faults: FaultDefinition[] = [
  {
    name: 'vm-stuck-provisioning',
    description: 'A new VM reaches provisioning and stays there: the step that marks it running is never scheduled.',
    scenarios: [VM_PROVISIONED, VM_FULL_CYCLE, VM_PAUSE_RESUME, VM_ANNOUNCED],
  },
  {
    name: 'vm-stop-reports-running',
    description: 'Stopping a VM answers 200 and records the stop, but the VM keeps reporting running.',
    scenarios: [VM_FULL_CYCLE, VM_FORBIDDEN_CHANGE],
  },
  {
    name: 'vm-accepts-invalid-spec',
    description: 'VM requests are not validated beyond the presence of a name string: out-of-range sizes and malformed names are accepted.',
    scenarios: [VM_INVALID_REQUEST],
  },
  {
    name: 'vm-allows-forbidden-transition',
    description: 'Lifecycle actions are applied whatever the current state (a stopped VM can be paused).',
    scenarios: [VM_FORBIDDEN_CHANGE],
  },
  {
    name: 'vm-delete-leaves-record',
    description: 'Deleting a VM answers 200 {status: deleted} but the VM record stays readable and listed.',
    scenarios: [VM_FULL_CYCLE],
  },
  {
    name: 'vm-unknown-is-500',
    description: 'Reading an unknown VM dereferences a missing record and answers 500 instead of 404.',
    scenarios: [VM_UNKNOWN],
  },
  {
    name: 'vm-history-missing',
    description: 'State changes made by the provisioning timer (provision, ready) are not written to the VM history.',
    scenarios: [VM_FULL_CYCLE],
  },
  {
    name: 'vm-duplicate-names',
    description: 'The uniqueness check of VM names is missing: two VMs may share a name.',
    scenarios: [VM_UNIQUE_NAME],
  },
  {
    name: 'db-failure-partial-write',
    description: 'A VM request made while the database is down answers 503 but the VM is kept in memory and listed.',
    scenarios: [DATABASE_DOWN],
  },
  {
    name: 'health-always-healthy',
    description: 'Health checks are hard-wired: every component and the system always report healthy.',
    scenarios: [HEALTH_FAILED_COMPONENT],
  },
  {
    name: 'health-omits-compute',
    description: 'The compute component is missing from both health views.',
    scenarios: [HEALTH_COMPONENTS, HEALTH_FAILED_COMPONENT],
  },
  {
    name: 'health-probe-omits-storage',
    description: 'The load balancer check (/health) leaves out the storage component that the detailed view reports.',
    scenarios: [HEALTH_COMPONENTS, HEALTH_VIEWS_AGREE],
  },
  {
    name: 'ws-drops-state-changes',
    description: 'The real-time stream never forwards vm.state_changed messages to its subscribers.',
    scenarios: [VM_ANNOUNCED],
  },
  {
    name: 'ws-accepts-anonymous',
    description: 'The real-time stream accepts connections without a valid token.',
    scenarios: [STREAM_NEEDS_SIGN_IN],
  },
  {
    name: 'ws-resume-loses-events',
    description: 'A reconnecting client that gives ?since= receives only new messages, not the ones it missed.',
    scenarios: [STREAM_RESUME],
  },
  {
    name: 'viewer-may-delete',
    description: 'Deleting a VM requires only the viewer role instead of operator.',
    scenarios: [ROLE_MATRIX],
  },
  {
    name: 'logout-does-not-revoke',
    description: 'Logout answers 200 but does not revoke the token, which keeps working until it expires.',
    scenarios: [LOGOUT],
  },
  {
    name: 'refresh-token-reusable',
    description: 'A refresh token is not marked as used and can be exchanged again and again.',
    scenarios: [REFRESH_ONCE],
  },
  {
    name: 'password-leak',
    description: 'User records are returned with their password_hash.',
    scenarios: [NO_PASSWORD],
  },
  {
    name: 'contract-drift',
    description: 'VM records are returned with the field `status` instead of `state`, as an older server version did.',
    scenarios: [VM_PROVISIONED, VM_FULL_CYCLE],
  },
  {
    name: 'rate-limit-headers-missing',
    description: 'The X-RateLimit-* headers are left out of /api/v1 answers (limits are still counted).',
    scenarios: [RATE_LIMIT_HEADERS],
  },
];
