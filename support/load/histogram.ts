import * as hdr from 'hdr-histogram-js';

/** Latency figures in milliseconds (microsecond resolution, 3 significant digits). */
export interface LatencySummary {
  count: number;
  min: number;
  avg: number;
  p50: number;
  p90: number;
  p95: number;
  p99: number;
  max: number;
}

const EMPTY_LATENCY: LatencySummary = Object.freeze({ count: 0, min: 0, avg: 0, p50: 0, p90: 0, p95: 0, p99: 0, max: 0 });

const INITIAL_HIGHEST_MICROS = 60_000_000; // grows automatically beyond one minute
const BIT_BUCKET_SIZE = 32;

/** A histogram as it travels between processes (e.g. from each cucumber worker to the report). */
export interface SerializedHistogram {
  /** The HDR histogram, compressed and base64-encoded (the HdrHistogram interchange format). */
  hdr: string;
  sum_us: number;
  min_us: number;
  max_us: number;
}

/**
 * An HDR histogram of latencies recorded as integer microseconds (hdr-histogram-js truncates
 * floats and throws on negatives, so values are rounded and clamped). Memory does not grow with
 * the number of recorded values.
 */
export class LatencyHistogram {
  private readonly histogram = hdr.build({
    bitBucketSize: BIT_BUCKET_SIZE,
    autoResize: true,
    lowestDiscernibleValue: 1,
    highestTrackableValue: INITIAL_HIGHEST_MICROS,
    numberOfSignificantValueDigits: 3,
    useWebAssembly: false,
  });
  private sumMicros = 0;
  private minMicros = Number.POSITIVE_INFINITY;
  private maxMicros = 0;

  get count(): number {
    return this.histogram.totalCount;
  }

  recordMs(milliseconds: number): void {
    this.recordMicros(milliseconds * 1000);
  }

  recordMicros(microseconds: number): void {
    const value = microseconds > 0 ? Math.round(microseconds) : 0;
    this.histogram.recordValue(value);
    this.sumMicros += value;
    if (value < this.minMicros) this.minMicros = value;
    if (value > this.maxMicros) this.maxMicros = value;
  }

  /** Percentile in milliseconds (0 when empty); `percentile` is 0-100. */
  percentileMs(percentile: number): number {
    if (this.count === 0) return 0;
    return Math.min(this.histogram.getValueAtPercentile(percentile), this.maxMicros) / 1000;
  }

  summary(): LatencySummary {
    const count = this.count;
    if (count === 0) return { ...EMPTY_LATENCY };
    return {
      count,
      min: this.minMicros / 1000,
      avg: this.sumMicros / count / 1000,
      p50: this.percentileMs(50),
      p90: this.percentileMs(90),
      p95: this.percentileMs(95),
      p99: this.percentileMs(99),
      max: this.maxMicros / 1000,
    };
  }

  serialize(): SerializedHistogram {
    return { hdr: hdr.encodeIntoCompressedBase64(this.histogram), sum_us: this.sumMicros, min_us: this.count ? this.minMicros : 0, max_us: this.maxMicros };
  }

  /** Adds the values of another histogram, e.g. one serialized by another process. */
  add(other: SerializedHistogram): void {
    const decoded = hdr.decodeFromCompressedBase64(other.hdr, BIT_BUCKET_SIZE, false);
    if (decoded.totalCount === 0) return;
    this.histogram.add(decoded);
    this.sumMicros += other.sum_us;
    this.minMicros = Math.min(this.minMicros, other.min_us);
    this.maxMicros = Math.max(this.maxMicros, other.max_us);
  }

  reset(): void {
    this.histogram.reset();
    this.sumMicros = 0;
    this.minMicros = Number.POSITIVE_INFINITY;
    this.maxMicros = 0;
  }
}
