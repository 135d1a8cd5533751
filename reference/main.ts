import { writeFileSync } from 'node:fs';
import { startReference } from './server';

/**
 * `npm run reference`: the reference as its own process. Prints exactly one line on stdout when
 * ready; logs go to stderr. Exits 1 with a one-line error when it cannot start, 0 after a clean
 * shutdown on SIGTERM or SIGINT.
 */
async function main(): Promise<void> {
  let reference;
  try {
    reference = await startReference();
  } catch (error) {
    process.stderr.write(`novacron reference: ${firstLine(error)}\n`);
    process.exit(1);
  }
  process.stdout.write(`NovaCron reference listening on ${reference.url}\n`);
  let stopping = false;
  const stop = (signal: NodeJS.Signals): void => {
    if (stopping) {
      process.stderr.write(`novacron reference: ${signal} again, exiting at once\n`);
      process.exit(1);
    }
    stopping = true;
    reference.close().then(
      () => process.exit(0),
      (error: unknown) => {
        process.stderr.write(`novacron reference: shutdown failed: ${firstLine(error)}\n`);
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
  recordMutantCoverage(process.env.STRYKER_MUTANT_COVERAGE_FILE);
}

/**
 * Mutation testing (`npm run mutation`): StrykerJS's instrumented code counts which mutants ran;
 * written at exit so the test runner knows which scenarios can notice each mutant.
 */
function recordMutantCoverage(file: string | undefined): void {
  if (!file) return;
  process.on('exit', () => {
    // Not instrumented: no file, so the runner says so instead of counting every mutant unreached.
    const stryker = (globalThis as { __stryker__?: { mutantCoverage?: unknown } }).__stryker__;
    if (stryker) writeFileSync(file, JSON.stringify(stryker.mutantCoverage ?? { static: {}, perTest: {} }));
  });
}

function firstLine(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.split('\n')[0];
}

// main() never rejects: a failed start and a failed shutdown each print one line and exit.
void main();
