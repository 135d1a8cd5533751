export interface LedgerEntry {
  description: string;
  release: () => Promise<void>;
}

/**
 * Everything a scenario created, released newest first after the scenario, whatever its outcome.
 * A release that fails does not stop the others; all failures are reported together.
 */
export class Ledger {
  private entries: LedgerEntry[] = [];

  add(description: string, release: () => Promise<void>): void {
    this.entries.push({ description, release });
  }

  /** Drops an entry whose resource the scenario already removed itself. */
  forget(description: string): void {
    this.entries = this.entries.filter((entry) => entry.description !== description);
  }

  get size(): number {
    return this.entries.length;
  }

  async releaseAll(): Promise<string[]> {
    const failures: string[] = [];
    const entries = this.entries.reverse();
    this.entries = [];
    for (const entry of entries) {
      try {
        await entry.release();
      } catch (error) {
        failures.push(`${entry.description}: ${(error as Error).message}`);
      }
    }
    return failures;
  }
}
