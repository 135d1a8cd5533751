import { defineFaults } from '../define-faults';

// Scenario titles, exactly as in the features.
// features/system/backend/vm-lifecycle.feature
const VM_PROVISIONED = 'A requested virtual machine is provisioned and starts running';
const VM_FULL_CYCLE = 'The complete create, start, stop and delete cycle';
const VM_BATCH = 'A batch of machines requested at once all start running';
const VM_PAUSE_RESUME = 'A paused virtual machine resumes where it was';
const VM_FORBIDDEN_CHANGE = "A change the machine's current state does not allow is refused";
const VM_INVALID_REQUEST = 'An invalid request is refused with a reason for the offending field';
const VM_UNIQUE_NAME = 'Two virtual machines cannot share a name';
const VM_UNKNOWN = 'Asking for a virtual machine that does not exist';
const VM_ANNOUNCED = 'Every state change is announced in real time, in order';
const VM_EVERY_VIEW = 'Any sequence of operations keeps every view of the machines consistent';
// features/system/backend/health.feature
const HEALTH_COMPONENTS = 'A healthy control plane reports each of its components';
const HEALTH_VIEWS_AGREE = 'The load balancer check and the detailed health view agree';
export const HEALTH_FAILED_COMPONENT = 'A failed component shows in the health, which recovers without a restart';
const DATABASE_DOWN = 'While the database is down, changes are refused and nothing is half-written';
// features/system/backend/security.feature
const ROLE_MATRIX = 'Each role may do exactly what it is allowed to';
const SIGN_IN_REQUIRED = 'Without signing in, nothing but the health check is available';
const SIGN_OUT = 'Signing out ends the session at once';
const RENEW_ONCE = 'A session can be renewed once with its refresh token';
const SESSION_EXPIRES = 'A session expires after its lifetime';
const NO_PASSWORDS = 'Passwords are never given out';
const LOCKOUT = 'Repeated failed sign-ins lock the account for a while';
const RATE_LIMITED = 'A client that sends too many requests is slowed down';
// features/system/backend/permissions.feature (one scenario per area of the outline)
const permissions = (area: string): string => `Each role may do exactly what the contract allows with ${area}`;
const PERMISSIONS_VMS = permissions('virtual machines');
// features/system/backend/model-rate-limits.feature
const RATE_MODEL = "Any sequence of limits and requests counts each user's requests exactly against their own limit";
// features/system/frontend/realtime-updates.feature
const STREAM_MODEL = 'Any sequence of subscriptions and changes gives every subscriber the same events, in order';
// features/system/backend/model-credentials.feature
const CREDENTIALS_MODEL = 'Any sequence of account and session operations keeps every credential and every view of the accounts consistent';
// features/system/frontend/auth-flows.feature
const SIGN_IN_BY_NAME_OR_EMAIL = 'Signing in with a user name or an email address';
const SAME_REFUSAL = 'Signing in with a wrong password is refused without saying which part was wrong';
const RENEW_AFTER_EXPIRY = 'A session that expires while working is renewed without signing in again';
const SIGN_OUT_EVERY_TAB = 'Signing out in one tab ends the session in every tab';
// features/system/frontend/realtime-updates.feature
const STREAM_IN_ORDER = 'A subscriber sees every state change of a machine in order';
const STREAM_CATCH_UP = 'After a dropped connection, the subscriber catches up on what it missed';
const STREAM_NEEDS_SESSION = 'The stream refuses a subscriber without a valid session';
const STREAM_TOPICS = 'A subscriber that chooses topics is told about those topics only';
// features/system/frontend/rest-api.feature
const PAGING = 'Paging through the machine list shows every machine exactly once';
const STATE_FILTER = 'Filtering the machine list by state';
const OVERVIEW = 'The overview counts match the machines that exist';
const FORM_ERRORS = 'A form with several mistakes gets a message for each field';
// features/system/frontend/state-sync.feature
const TABS_SYNC = 'A change made in either tab appears in the other within a second';

/** Titles of scenarios that no feature has yet (none at the moment): rename here when they are written. */
export const PROPOSED_SCENARIO_TITLES: readonly string[] = [];

export const CORE_FAULTS = defineFaults({
  vmListStaleAfterDelete: {
    name: 'vm-list-stale-after-delete',
    description: 'Deleting a VM forgets to invalidate the cached list pages: a deleted VM stays listed until some other VM changes.',
    scenarios: [VM_EVERY_VIEW],
  },
  vmNameKeptAfterDelete: {
    name: 'vm-name-kept-after-delete',
    description: 'Deleting a VM does not release its name: a new VM may never take the name of a deleted one.',
    scenarios: [VM_EVERY_VIEW],
  },
  vmStartReschedules: {
    name: 'vm-start-reschedules',
    description: 'Starting a stopped VM places it on the least loaded node, so a VM moves between nodes without a migration.',
    scenarios: [VM_EVERY_VIEW],
  },
  vmStuckProvisioning: {
    name: 'vm-stuck-provisioning',
    description: 'A new VM reaches provisioning and stays there: the step that marks it running is never scheduled.',
    scenarios: [VM_PROVISIONED, VM_FULL_CYCLE, VM_BATCH, VM_PAUSE_RESUME, VM_ANNOUNCED],
  },
  vmStopReportsRunning: {
    name: 'vm-stop-reports-running',
    description: 'Stopping a VM answers 200 and records the stop, but the VM keeps reporting running.',
    scenarios: [VM_FULL_CYCLE, VM_FORBIDDEN_CHANGE],
  },
  vmAcceptsInvalidSpec: {
    name: 'vm-accepts-invalid-spec',
    description: 'VM requests are not validated beyond the presence of a name string: out-of-range sizes and malformed names are accepted.',
    scenarios: [VM_INVALID_REQUEST],
  },
  vmAllowsForbiddenTransition: {
    name: 'vm-allows-forbidden-transition',
    description: 'Lifecycle actions are applied whatever the current state (a stopped VM can be paused).',
    scenarios: [VM_FORBIDDEN_CHANGE],
  },
  vmDeleteLeavesRecord: {
    name: 'vm-delete-leaves-record',
    description: 'Deleting a VM answers 200 {status: deleted} but the VM record stays readable and listed.',
    scenarios: [VM_FULL_CYCLE],
  },
  vmUnknownIs500: {
    name: 'vm-unknown-is-500',
    description: 'Reading an unknown VM dereferences a missing record and answers 500 instead of 404.',
    scenarios: [VM_UNKNOWN],
  },
  vmHistoryMissing: {
    name: 'vm-history-missing',
    description: 'State changes made by the provisioning timer (provision, ready) are not written to the VM history.',
    scenarios: [VM_FULL_CYCLE, VM_EVERY_VIEW],
  },
  vmDuplicateNames: {
    name: 'vm-duplicate-names',
    description: 'The uniqueness check of VM names is missing: two VMs may share a name.',
    scenarios: [VM_UNIQUE_NAME],
  },
  vmListPublic: {
    name: 'vm-list-public',
    description: 'The VM list forgets to check the token: anyone may list the VMs without signing in.',
    scenarios: [SIGN_IN_REQUIRED, PERMISSIONS_VMS],
  },
  vmPagingOffByOne: {
    name: 'vm-paging-off-by-one',
    description: 'Every page of the VM list after the first starts one VM early, so neighbouring pages overlap.',
    scenarios: [PAGING, VM_EVERY_VIEW],
  },
  vmStateFilterIgnored: {
    name: 'vm-state-filter-ignored',
    description: 'The VM list ignores its state filter and returns VMs in every state.',
    scenarios: [STATE_FILTER],
  },
  summaryMiscountsStopped: {
    name: 'summary-miscounts-stopped',
    description: 'The dashboard summary groups VMs by "powered" instead of state: stopped VMs are counted as running.',
    scenarios: [OVERVIEW],
  },
  dbFailurePartialWrite: {
    name: 'db-failure-partial-write',
    description: 'A VM request made while the database is down answers 503 but the VM is kept in memory and listed.',
    scenarios: [DATABASE_DOWN],
  },
  healthAlwaysHealthy: {
    name: 'health-always-healthy',
    description: 'Health checks are hard-wired: every component and the system always report healthy.',
    scenarios: [HEALTH_FAILED_COMPONENT],
  },
  healthOmitsCompute: {
    name: 'health-omits-compute',
    description: 'The compute component is missing from both health views.',
    scenarios: [HEALTH_COMPONENTS, HEALTH_FAILED_COMPONENT],
  },
  healthProbeOmitsStorage: {
    name: 'health-probe-omits-storage',
    description: 'The load balancer check (/health) leaves out the storage component that the detailed view reports.',
    scenarios: [HEALTH_COMPONENTS, HEALTH_VIEWS_AGREE],
  },
  wsDropsStateChanges: {
    name: 'ws-drops-state-changes',
    description: 'The real-time stream never forwards vm.state_changed messages to its subscribers.',
    scenarios: [VM_ANNOUNCED, STREAM_IN_ORDER, TABS_SYNC],
  },
  wsAcceptsAnonymous: {
    name: 'ws-accepts-anonymous',
    description: 'The real-time stream accepts connections without a valid token.',
    scenarios: [STREAM_NEEDS_SESSION, PERMISSIONS_VMS],
  },
  wsResumeLosesEvents: {
    name: 'ws-resume-loses-events',
    description: 'A reconnecting client that gives ?since= receives only new messages, not the ones it missed.',
    scenarios: [STREAM_CATCH_UP],
  },
  wsReplayDuplicates: {
    name: 'ws-replay-duplicates',
    description: 'The replay for ?since=N starts at N instead of after it, so the last message a client saw is delivered again.',
    scenarios: [STREAM_CATCH_UP],
  },
  viewerMayDelete: {
    name: 'viewer-may-delete',
    description: 'Deleting a VM requires only the viewer role instead of operator.',
    scenarios: [ROLE_MATRIX, PERMISSIONS_VMS],
  },
  logoutDoesNotRevoke: {
    name: 'logout-does-not-revoke',
    description: 'Logout answers 200 but does not revoke the token, which keeps working until it expires.',
    scenarios: [SIGN_OUT, SIGN_OUT_EVERY_TAB, permissions('accounts and sessions')],
  },
  logoutKeepsStreams: {
    name: 'logout-keeps-streams',
    description: "Signing out revokes the token but leaves the session's open WebSocket connections streaming.",
    scenarios: [SIGN_OUT_EVERY_TAB],
  },
  logoutKeepsRefreshTokens: {
    name: 'logout-keeps-refresh-tokens',
    description: "Signing out revokes the session's access tokens but leaves its unused refresh token valid: a signed-out session can be renewed.",
    scenarios: [CREDENTIALS_MODEL],
  },
  refreshTokenReusable: {
    name: 'refresh-token-reusable',
    description: 'A refresh token is not marked as used and can be exchanged again and again.',
    scenarios: [RENEW_ONCE],
  },
  tokenExpiryIgnored: {
    name: 'token-expiry-ignored',
    description: 'Access tokens are accepted after their expiry time (the exp claim is not checked).',
    scenarios: [SESSION_EXPIRES, RENEW_AFTER_EXPIRY],
  },
  lockoutMissing: {
    name: 'lockout-missing',
    description: 'Failed sign-ins are not counted, so an account is never locked against password guessing.',
    scenarios: [LOCKOUT],
  },
  loginByEmailMissing: {
    name: 'login-by-email-missing',
    description: 'Sign-in ignores the email field: only a user name signs in.',
    scenarios: [SIGN_IN_BY_NAME_OR_EMAIL],
  },
  loginRevealsUnknownUser: {
    name: 'login-reveals-unknown-user',
    description: 'A failed sign-in says whether the user exists ("no user named ...") or the password was wrong.',
    scenarios: [SAME_REFUSAL],
  },
  passwordLeak: {
    name: 'password-leak',
    description: 'User records are returned with their password_hash.',
    scenarios: [NO_PASSWORDS],
  },
  userValidationStopsAtFirst: {
    name: 'user-validation-stops-at-first',
    description: 'Validation of a new user account reports only the first invalid field.',
    scenarios: [FORM_ERRORS],
  },
  contractDrift: {
    name: 'contract-drift',
    description: 'VM records are returned with the field `status` instead of `state`, as an older server version did.',
    scenarios: [VM_PROVISIONED, VM_FULL_CYCLE],
  },
  rateLimitHeadersMissing: {
    name: 'rate-limit-headers-missing',
    description: 'The X-RateLimit-* headers are left out of /api/v1 answers (limits are still counted).',
    scenarios: [RATE_LIMITED, RATE_MODEL],
  },
  // Permission checks of the other domains, found by the contract-derived permission matrix.
  networkPolicyDeleteOpenToViewers: {
    name: 'network-policy-delete-open-to-viewers',
    description: 'Deleting a network policy asks for the viewer role instead of operator, so any viewer can open or close traffic between segments.',
    scenarios: [permissions('networks')],
  },
  federationJoinOpenToOperators: {
    name: 'federation-join-open-to-operators',
    description: 'Registering a peer cluster asks for the operator role instead of admin.',
    scenarios: [permissions('federation')],
  },
  volumeDetachChecksRoleLast: {
    name: 'volume-detach-checks-role-last',
    description: 'Detaching a volume checks the role after detaching it: a viewer is answered 403, yet the volume is detached.',
    scenarios: [permissions('storage')],
  },
  clusterSimulationOpenToOperators: {
    name: 'cluster-simulation-open-to-operators',
    description: "The simulated consensus clusters (start, fail, partition, links, delete) ask for the operator role instead of admin.",
    scenarios: [permissions('consensus')],
  },
  mlestarStageRunOpenToViewers: {
    name: 'mlestar-stage-run-open-to-viewers',
    description: 'Running a single MLE-Star stage asks for the viewer role instead of operator.',
    scenarios: [permissions('MLE-Star')],
  },
  autoscalingDeleteOpenToViewers: {
    name: 'autoscaling-delete-open-to-viewers',
    description: 'Deleting a scaling group (and its machines) asks for the viewer role instead of operator.',
    scenarios: [permissions('autoscaling')],
  },
  componentSimulationOpenToOperators: {
    name: 'component-simulation-open-to-operators',
    description: 'Failing and recovering control plane components asks for the operator role instead of admin.',
    scenarios: [permissions('outages of control plane components')],
  },
  rateLimitChangeWaitsForNextWindow: {
    name: 'rate-limit-change-waits-for-next-window',
    description: "A user's limit is read once per window, so a limit an administrator changes applies only from the next window.",
    scenarios: [RATE_MODEL],
  },
  rateLimitRefusalsNotCounted: {
    name: 'rate-limit-refusals-not-counted',
    description: 'A request refused for its rate limit is taken off the counter again, so the counter in Redis stops at the limit.',
    scenarios: [RATE_MODEL],
  },
  wsTopicsIgnored: {
    name: 'ws-topics-ignored',
    description: 'The event stream ignores the topics a subscriber asked for and sends every event.',
    scenarios: [STREAM_TOPICS],
  },
  wsBadSubscriptionAccepted: {
    name: 'ws-bad-subscription-accepted',
    description: 'The event stream takes an invalid since or topics (a negative or fractional since, an upper-case topic, an empty list) as if it had not been given, instead of refusing the subscription.',
    scenarios: [STREAM_MODEL],
  },
  wsWelcomeSequenceBehind: {
    name: 'ws-welcome-sequence-behind',
    description: "The welcome message names the sequence before the latest one, so a subscriber that resumes from it is sent an event it already has.",
    scenarios: [STREAM_MODEL],
  },
});
