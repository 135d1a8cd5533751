/** The media type that marks a scenario's metrics attachment; the report builder collects them. */
export const METRICS_MEDIA_TYPE = 'application/json';
export const METRICS_KEY = 'novacron_metrics';

export interface Measurement {
  value: number;
  unit: string;
}

/** Named figures a scenario measured (e.g. `leader-election-time`), attached to the report. */
export class ScenarioMetrics {
  private readonly figures = new Map<string, Measurement>();
  private readonly details = new Map<string, unknown>();

  record(name: string, value: number, unit = 'ms'): void {
    if (!Number.isFinite(value)) throw new Error(`metric ${name} must be a finite number, got ${value}`);
    this.figures.set(name, { value, unit });
  }

  /** Structured data beside the figures (a load summary, a time series). */
  detail(name: string, value: unknown): void {
    this.details.set(name, value);
  }

  get(name: string): Measurement | undefined {
    return this.figures.get(name);
  }

  get isEmpty(): boolean {
    return this.figures.size === 0 && this.details.size === 0;
  }

  toAttachment(): string {
    return JSON.stringify(
      { [METRICS_KEY]: Object.fromEntries(this.figures), details: Object.fromEntries(this.details) },
      null,
      2,
    );
  }
}
