import http from 'node:http';
import type { AddressInfo } from 'node:net';

/** One request the receiver got. */
export interface Received {
  id: string;
  headers: Record<string, string>;
  body: string;
  /** What the receiver answered: a status, or 'hang' (no answer until the sender gives up). */
  answer: number | 'hang';
}

/** A webhook receiver on loopback; `decide` picks each answer (default 200). */
export interface Receiver {
  url: string;
  received: Received[];
  decide: (request: Omit<Received, 'answer'>, attemptOfId: number) => number | 'hang';
  /** Resolves once `predicate` holds for what was received (checked on every request). */
  waitFor(predicate: (received: Received[]) => boolean, timeoutMs?: number): Promise<Received[]>;
  close(): Promise<void>;
}

/** Starts a receiver on 127.0.0.1 and a free port. */
export async function startReceiver(): Promise<Receiver> {
  const received: Received[] = [];
  const waiters = new Set<() => void>();
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const headers = Object.fromEntries(Object.entries(req.headers).map(([k, v]) => [k, String(v)]));
      const request = { id: headers['webhook-id'] ?? '', headers, body: Buffer.concat(chunks).toString('utf8') };
      const attempt = received.filter((r) => r.id === request.id).length + 1;
      const answer = receiver.decide(request, attempt);
      received.push({ ...request, answer });
      if (answer !== 'hang') res.writeHead(answer, { 'content-type': 'text/plain' }).end(answer < 300 ? 'ok' : 'no');
      for (const wake of [...waiters]) wake();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const receiver: Receiver = {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`,
    received,
    decide: () => 200,
    waitFor(predicate, timeoutMs = 30_000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          if (!predicate(received)) return;
          clearTimeout(timer);
          waiters.delete(check);
          resolve(received);
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`receiver: condition not met in ${timeoutMs} ms; got ${JSON.stringify(received.map((r) => [r.id, JSON.parse(r.body || '{}').type, r.answer]))}`));
        }, timeoutMs);
        waiters.add(check);
        check();
      });
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
  return receiver;
}

/** The event types of the requests the receiver answered 2xx, in arrival order. */
export function accepted(received: Received[]): Array<{ id: string; type: string }> {
  return received.filter((r) => typeof r.answer === 'number' && r.answer < 300).map((r) => ({ id: r.id, type: (JSON.parse(r.body) as { type: string }).type }));
}
