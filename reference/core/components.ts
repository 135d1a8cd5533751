import { DependencyUnavailableError } from '../http/errors';

/** The parts of the control plane that the simulation endpoints can fail and recover. */
export const COMPONENTS = ['database', 'redis', 'storage', 'compute', 'consensus'] as const;
export type ComponentName = (typeof COMPONENTS)[number];

export function isComponentName(name: string): name is ComponentName {
  return (COMPONENTS as readonly string[]).includes(name);
}

/**
 * Simulated component failures. A failed database refuses every connection (so writes answer
 * 503 with nothing written); a failed Redis is treated as unreachable; failed storage or compute
 * show in the health; a failed consensus stops a majority of the control plane's nodes (the
 * consensus module listens). Recovery needs no restart.
 */
export class Components {
  private readonly failed = new Set<ComponentName>();
  private readonly listeners: ((name: ComponentName, failed: boolean) => void)[] = [];

  fail(name: ComponentName): void {
    this.failed.add(name);
    this.listeners.forEach((listener) => listener(name, true));
  }

  recover(name: ComponentName): void {
    this.failed.delete(name);
    this.listeners.forEach((listener) => listener(name, false));
  }

  isFailed(name: ComponentName): boolean {
    return this.failed.has(name);
  }

  /** Throws a DependencyUnavailableError (answered 503) while `name` is failed. */
  assertAvailable(name: ComponentName): void {
    if (this.failed.has(name)) throw new DependencyUnavailableError(name, `the ${name} is unavailable (simulated failure); nothing was changed`);
  }

  onChange(listener: (name: ComponentName, failed: boolean) => void): void {
    this.listeners.push(listener);
  }
}
