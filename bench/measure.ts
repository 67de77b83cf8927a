/** How bench/run.ts measures: autocannon against an HTTP server, and a timed loop for the raw driver. */
import autocannon from 'autocannon';

export interface Figure {
  p50: number;
  p99: number;
  rps: number;
  /** Answers that were not the expected status (they make the figure suspect). */
  errors: number;
}

export interface Request {
  method: 'GET' | 'POST' | 'PATCH';
  path: string;
  headers: Record<string, string>;
  body?: string;
}

/** How long each measurement runs: `seconds` of load, or `raw` driver operations when those are quick. */
export interface Span {
  seconds: number;
  raw: number;
}

export function percentile(sorted: number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? NaN;
}

/** The raw driver: `span.raw` operations, `connections` at a time; latency per operation and operations per second. */
export async function timeDriver(span: Span, f: () => Promise<unknown>, connections: number): Promise<Figure> {
  const ms: number[] = [];
  let next = 0;
  let errors = 0;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: connections }, async () => {
      // span.raw operations, or span.seconds of them when each is slow (the same time autocannon gets).
      while (next++ < span.raw && performance.now() - t0 < span.seconds * 1000) {
        const t = performance.now();
        try {
          await f();
        } catch {
          errors++;
        }
        ms.push(performance.now() - t);
      }
    }),
  );
  const seconds = (performance.now() - t0) / 1000;
  ms.sort((a, b) => a - b);
  return { p50: percentile(ms, 0.5), p99: percentile(ms, 0.99), rps: ms.length / seconds, errors };
}

export async function cannon(span: Span, url: string, connections: number, make: () => Request, expect: number): Promise<Figure> {
  let wrong = 0;
  const result = await autocannon({
    url,
    connections,
    duration: span.seconds,
    timeout: 30,
    requests: [
      {
        setupRequest: (req) => {
          const r = make();
          return { ...req, method: r.method, path: r.path, headers: r.headers, ...(r.body !== undefined ? { body: r.body } : {}) };
        },
        onResponse: (status) => {
          if (status !== expect) wrong++;
        },
      },
    ],
  });
  return { p50: result.latency.p50, p99: result.latency.p99, rps: result.requests.average, errors: wrong + result.errors + result.timeouts };
}
