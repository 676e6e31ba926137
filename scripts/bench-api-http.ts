// HTTP load for `npm run bench:api`: N keep-alive connections, each sending one GET at a time as
// soon as the previous answer is complete (an autocannon-style closed loop). Raw sockets and a
// minimal response parser keep the generator cheap, since it shares the CPU with the server.
import net from 'node:net';

/** What one load run measured. */
export interface LoadResult {
  requests: number;
  non2xx: number;
  errors: number;
  seconds: number;
  rps: number;
  p50: number;
  p99: number;
  max: number;
}

/** The q-quantile (0..1) of a list of numbers. */
export function quantile(values: number[], q: number): number {
  if (values.length === 0) return NaN;
  const sorted = Float64Array.from(values).sort();
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
}

/** Runs `connections` closed loops of GET `path` against `base` for `durationMs`. */
export async function runGetLoad(base: string, path: string, connections: number, durationMs: number): Promise<LoadResult> {
  const url = new URL(base);
  const request = Buffer.from(`GET ${path} HTTP/1.1\r\nHost: ${url.host}\r\nAccept: application/json\r\n\r\n`);
  const latencies: number[] = [];
  let non2xx = 0;
  let errors = 0;
  const started = performance.now();
  const endAt = started + durationMs;

  const loop = () =>
    new Promise<void>((resolve) => {
      const socket = net.connect(Number(url.port || 80), url.hostname);
      socket.setNoDelay(true);
      let buffer: Buffer = Buffer.alloc(0);
      let sentAt = 0;
      const send = () => {
        if (performance.now() >= endAt) return socket.end();
        sentAt = performance.now();
        socket.write(request);
      };
      socket.on('connect', send);
      socket.on('data', (chunk) => {
        buffer = buffer.length === 0 ? chunk : Buffer.concat([buffer, chunk]);
        for (;;) {
          const headEnd = buffer.indexOf('\r\n\r\n');
          if (headEnd < 0) return;
          const head = buffer.toString('latin1', 0, headEnd);
          const length = Number(/\r\ncontent-length:\s*(\d+)/i.exec(head)?.[1] ?? NaN);
          if (!Number.isFinite(length)) {
            errors += 1; // only fixed-length answers are expected from these routes
            socket.destroy();
            return;
          }
          const total = headEnd + 4 + length;
          if (buffer.length < total) return;
          const status = Number(head.slice(9, 12));
          if (status < 200 || status > 299) non2xx += 1;
          latencies.push(performance.now() - sentAt);
          buffer = buffer.subarray(total);
          send();
        }
      });
      socket.on('error', () => {
        errors += 1;
      });
      socket.on('close', () => resolve());
    });

  await Promise.all(Array.from({ length: connections }, loop));
  const seconds = (performance.now() - started) / 1000;
  return {
    requests: latencies.length,
    non2xx,
    errors,
    seconds,
    rps: latencies.length / seconds,
    p50: quantile(latencies, 0.5),
    p99: quantile(latencies, 0.99),
    max: quantile(latencies, 1),
  };
}
