// The load settings of the source guide (LOAD_TEST_*), parsed and validated in one place.
export interface LoadSettings {
  /** LOAD_TEST_USERS: concurrent users (closed-model workers) */
  users: number;
  /** LOAD_TEST_DURATION: length of a user-load run, ms */
  durationMs: number;
  /** LOAD_TEST_RAMPUP: time over which users start (closed) or the rate rises (open), ms */
  rampUpMs: number;
  /** LOAD_TEST_THINK_TIME: pause of a user between two requests, ms (closed model only) */
  thinkTimeMs: number;
}

/** The guide's defaults (its configuration printout: 50 users, 300000 ms, ramp-up 60000 ms); it names no think time. */
export const GUIDE_LOAD_SETTINGS: Readonly<LoadSettings> = Object.freeze({
  users: 50,
  durationMs: 300_000,
  rampUpMs: 60_000,
  thinkTimeMs: 0,
});

function integer(env: NodeJS.ProcessEnv, name: string, fallback: number, minimum: number): number {
  const raw = env[name];
  if (raw === undefined || raw.trim() === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < minimum) {
    throw new Error(`${name}: got "${raw}", expected an integer >= ${minimum}`);
  }
  return value;
}

export function loadSettingsFromEnv(env: NodeJS.ProcessEnv = process.env): LoadSettings {
  return {
    users: integer(env, 'LOAD_TEST_USERS', GUIDE_LOAD_SETTINGS.users, 1),
    durationMs: integer(env, 'LOAD_TEST_DURATION', GUIDE_LOAD_SETTINGS.durationMs, 1),
    rampUpMs: integer(env, 'LOAD_TEST_RAMPUP', GUIDE_LOAD_SETTINGS.rampUpMs, 0),
    thinkTimeMs: integer(env, 'LOAD_TEST_THINK_TIME', GUIDE_LOAD_SETTINGS.thinkTimeMs, 0),
  };
}
