import { defineFaults } from '../../define-faults';

// Scenario titles, exactly as in features/system/frontend/dashboard.feature.
const FIELD_ERRORS = 'Signing in to the dashboard with empty fields says what is missing next to each field';
const SAME_REFUSAL = 'The dashboard refuses a wrong password without saying which part was wrong';
const APPEARS_LIVE = 'A machine created elsewhere appears on the open dashboard within a second';
const TWO_TABS = 'Two tabs of the dashboard stay in step, and signing out in one signs out both';
const DETAILS = "A machine's details on the dashboard show its history in order";
const STATE_FILTER = "Filtering the dashboard's machine list by state";
const BUDGETS = 'The dashboard meets its time budgets with a thousand machines';

export const UI_FAULTS = defineFaults({
  fieldErrorsMissing: {
    name: 'dashboard-field-errors-missing',
    description: 'The sign-in form says only that it has mistakes, not which field is missing what.',
    scenarios: [FIELD_ERRORS],
  },
  signInBlamesPassword: {
    name: 'dashboard-sign-in-blames-password',
    description: 'The dashboard answers every refused sign-in with "The password is not correct.", even for an account that does not exist.',
    scenarios: [SAME_REFUSAL],
  },
  liveUpdatesIgnored: {
    name: 'dashboard-live-updates-ignored',
    description: 'The dashboard never subscribes to the event stream: what changes elsewhere shows only after a reload.',
    scenarios: [APPEARS_LIVE, TWO_TABS],
  },
  pageErrorOnUpdate: {
    name: 'dashboard-page-error-on-update',
    description: 'The page throws an uncaught TypeError on each live update (after refreshing, so nothing looks wrong).',
    scenarios: [APPEARS_LIVE],
  },
  signOutOneTabOnly: {
    name: 'dashboard-sign-out-one-tab-only',
    description: "Signing out in one tab leaves the dashboard's other tabs showing the machines as if still signed in.",
    scenarios: [TWO_TABS],
  },
  historyReversed: {
    name: 'dashboard-history-reversed',
    description: "A machine's history is shown newest first, the reverse of the order it happened in.",
    scenarios: [DETAILS],
  },
  stateFilterIgnored: {
    name: 'dashboard-state-filter-ignored',
    description: "The machine list's state filter changes nothing: every state is listed.",
    scenarios: [STATE_FILTER],
  },
  pagingSkipsPages: {
    name: 'dashboard-paging-skips-pages',
    description: 'The next-page button moves two pages on, so every other page of machines is never shown.',
    scenarios: [BUDGETS],
  },
});
