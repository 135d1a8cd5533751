/** How long loads run: a feature's stated durations as this run applies them, and the step timeout they need. */
import type { NovaWorld } from '../../world';

/** The `ci` test mode runs every load for this share of its stated duration (never below 5 s). */
export const CI_TIME_SCALE = 0.25;
const MIN_SCALED_MS = 5_000;

/** A stated duration as this run applies it: shortened by the `ci` test mode, never skipped. */
export function effectiveDurationMs(world: NovaWorld, statedMs: number): number {
  return world.suite.config.mode === 'ci' ? Math.max(MIN_SCALED_MS, Math.round(statedMs * CI_TIME_SCALE)) : statedMs;
}

/** How long the configured user load may take, for the step's timeout (the load, its ramp-up and a margin). */
export function userLoadTimeoutMs(config: { loadDurationMs: number; loadRampUpMs: number; timeoutMs: number }): number {
  return Math.max(config.timeoutMs, config.loadDurationMs + config.loadRampUpMs + 120_000);
}
