// The part of autocannon 8's programmatic API the benches use (the package ships no types).
declare module 'autocannon' {
  interface AutocannonOptions {
    url: string;
    connections?: number;
    pipelining?: number;
    duration?: number;
    amount?: number;
    headers?: Record<string, string>;
  }
  interface AutocannonResult {
    requests: { total: number; average: number; sent: number };
    latency: { p50: number; p99: number; average: number; max: number };
    duration: number;
    errors: number;
    non2xx: number;
  }
  function autocannon(options: AutocannonOptions): Promise<AutocannonResult>;
  export default autocannon;
}
