/**
 * Serialises async work per key (one VM, one user table): each `run` for a key starts after the
 * previous one for that key settled, so read-check-write sequences never interleave.
 */
export class KeyedLock {
  private readonly tails = new Map<string, Promise<void>>();

  async run<T>(key: string, work: () => Promise<T>): Promise<T> {
    const previous = this.tails.get(key);
    let release!: () => void;
    const current = new Promise<void>((resolve) => (release = resolve));
    const tail = previous ? previous.then(() => current) : current;
    this.tails.set(key, tail);
    try {
      if (previous) await previous;
      return await work();
    } finally {
      release();
      if (this.tails.get(key) === tail) this.tails.delete(key);
    }
  }

  get busyKeys(): number {
    return this.tails.size;
  }
}
