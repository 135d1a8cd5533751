import fc from 'fast-check';
import type { ModelReplay } from '../config';
import type { NovaWorld } from '../world';

/**
 * Model-based checks: random sequences of a domain's operations run against the target and
 * compared with a small model after every step (fast-check's `commands` and `asyncModelRun`).
 * A failing sequence is shrunk to a minimal one within a time budget; the failure names the seed
 * and the replay that `NOVACRON_SEED` takes to run that exact sequence again.
 */

/** How one model check is set up: its commands, a fresh model and system per run, and the cleanup. */
export interface ModelCheck<Model extends object, Real> {
  /** The domain, in words: "virtual machines". */
  readonly domain: string;
  readonly commands: fc.Arbitrary<fc.AsyncCommand<Model, Real>>[];
  /**
   * A fixed sequence run before the random ones, with every kind of operation at least once, so
   * that what every operation does is checked in every run, whatever the random draw.
   */
  tour(): fc.AsyncCommand<Model, Real>[];
  /** A fresh model and the handle on the target for one sequence. */
  setup(): Promise<{ model: Model; real: Real }>;
  /** Checks every view against the model once more and removes what the sequence created. */
  teardown(real: Real): Promise<void>;
}

export interface ModelSettings {
  /** Sequences to try. */
  runs: number;
  /** The longest sequence. */
  maxCommands: number;
  /** Time allowed for shrinking a failing sequence, in ms. */
  shrinkBudgetMs: number;
  replay?: ModelReplay;
}

export interface ModelOutcome {
  seed: number;
  runs: number;
  commands: number;
  elapsedMs: number;
}

/** The run's settings: NOVACRON_MODEL_RUNS, NOVACRON_MODEL_STEPS and NOVACRON_SEED. */
export function modelSettings(world: NovaWorld): ModelSettings {
  const config = world.suite.config;
  return { runs: config.modelRuns, maxCommands: config.modelSteps, shrinkBudgetMs: config.mode === 'ci' ? 30_000 : 120_000, replay: config.modelReplay };
}

/** Runs the check; throws with the shrunk sequence, its seed and how to replay it when the target and the model disagree. */
export async function runModelCheck<Model extends object, Real>(world: NovaWorld, check: ModelCheck<Model, Real>, settings = modelSettings(world)): Promise<ModelOutcome> {
  const started = performance.now();
  const seed = settings.replay?.seed ?? (Date.now() ^ (Math.random() * 0x100000000)) | 0;
  let executed = 0;
  const property = (replayPath?: string) =>
    fc.asyncProperty(fc.commands(check.commands, { maxCommands: settings.maxCommands, size: 'max', replayPath }), async (commands) => {
      const { model, real } = await check.setup();
      try {
        await fc.asyncModelRun(() => ({ model, real }), commands);
      } finally {
        await check.teardown(real);
      }
      executed += [...commands].filter((command) => (command as { hasRan?: boolean }).hasRan).length;
    });

  if (!settings.replay) await runTour(world, check);

  // First find a failing sequence without shrinking, then shrink it within the budget: every
  // step of shrinking replays a sequence against the target, so it is bounded in time.
  const replaying = settings.replay?.path !== undefined;
  const found = await fc.check(property(settings.replay?.replayPath), {
    seed,
    numRuns: replaying ? 1 : settings.runs,
    path: settings.replay?.path,
    endOnFailure: true,
  });
  if (!found.failed) {
    const outcome = { seed, runs: found.numRuns, commands: executed, elapsedMs: performance.now() - started };
    world.metrics.record(`model-${slug(check.domain)}-sequences`, outcome.runs, 'sequences');
    world.metrics.record(`model-${slug(check.domain)}-ms`, Math.round(outcome.elapsedMs));
    world.attach(`Model check of ${check.domain}: ${outcome.runs} sequences, ${outcome.commands} operations, seed ${seed} (replay with NOVACRON_SEED=${seed})`, 'text/plain');
    return outcome;
  }

  const shrunk = replaying
    ? found
    : await fc.check(property(), {
        seed,
        path: found.counterexamplePath ?? undefined,
        endOnFailure: false,
        interruptAfterTimeLimit: settings.shrinkBudgetMs,
      });
  const failure = shrunk.failed ? shrunk : found;
  const sequence = String(failure.counterexample?.[0] ?? '(no sequence)');
  const replayPath = /replayPath="([^"]*)"/.exec(sequence)?.[1] ?? '';
  const steps = sequence.replace(/\s*\/\*replayPath=.*\*\/\s*$/, '');
  const replay = `NOVACRON_SEED=${seed}/${failure.counterexamplePath ?? ''}/${replayPath}`;
  const cause = failure.errorInstance instanceof Error ? failure.errorInstance.message : String(failure.errorInstance);
  const message = [
    `the ${check.domain} disagree with the model after this sequence (seed ${seed}, shrunk ${failure.numShrinks} times):`,
    `  ${steps}`,
    `what differed: ${cause}`,
    `replay this sequence: ${replay}; the whole check: NOVACRON_SEED=${seed}`,
  ].join('\n');
  world.attach(message, 'text/plain');
  throw new Error(message);
}

/** The fixed tour: on failure, the operations up to the one that failed are the counterexample. */
async function runTour<Model extends object, Real>(world: NovaWorld, check: ModelCheck<Model, Real>): Promise<void> {
  const { model, real } = await check.setup();
  const done: string[] = [];
  try {
    for (const command of check.tour()) {
      if (!command.check(model)) continue;
      try {
        await command.run(model, real);
      } catch (error) {
        const message = [
          `the ${check.domain} disagree with the model on the fixed tour of every operation, after:`,
          `  ${[...done, String(command)].join(', ')}`,
          `what differed: ${(error as Error).message}`,
        ].join('\n');
        world.attach(message, 'text/plain');
        throw new Error(message);
      }
      done.push(String(command));
    }
  } finally {
    await check.teardown(real);
  }
}

function slug(text: string): string {
  return text.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '');
}
