import WebSocket from 'ws';
import { serveFetch } from '../helpers/start-service.ts';
import { buildTestApp, type TestAppOptions } from '../http/test-app.ts';

/** The real service of buildTestApp (`:memory:` SQLite, fake engine) on a real HTTP server on port 0, with its WebSocket. */
export async function startMiniServer(env: Record<string, string> = {}, options: TestAppOptions = {}) {
  const t = await buildTestApp(env, options);
  const listening = await serveFetch(t.app.fetch);
  t.injectWebSocket(listening.server);
  return {
    ...t,
    server: listening.server,
    url: listening.url,
    wsUrl: (id: string) => `ws://127.0.0.1:${listening.port}/ws/tasks/${id}`,
    /** Drains the service (sockets close 1001), closes the listener, then the rest. */
    async close() {
      await t.drain();
      await listening.close();
      await t.close();
    },
  };
}

/** A ws client that records every frame it receives, parsed. */
export interface RecordingClient {
  ws: WebSocket;
  frames: Record<string, any>[];
  closed: Promise<{ code: number; reason: string }>;
  /** Resolves with the first frame (from now on or already received, after index `from`) that matches. */
  next(match: (f: Record<string, any>) => boolean, from?: number, timeoutMs?: number): Promise<Record<string, any>>;
}

/** Connects and waits until open. */
export async function connect(url: string, options: WebSocket.ClientOptions = {}): Promise<RecordingClient> {
  const ws = new WebSocket(url, options);
  const frames: Record<string, any>[] = [];
  const waiters = new Set<() => void>();
  ws.on('message', (data, isBinary) => {
    frames.push(JSON.parse(isBinary ? '{"type":"binary?"}' : data.toString()));
    for (const w of [...waiters]) w();
  });
  const closed = new Promise<{ code: number; reason: string }>((resolve) => ws.on('close', (code, reason) => resolve({ code, reason: reason.toString() })));
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });
  return {
    ws,
    frames,
    closed,
    next(match, from = 0, timeoutMs = 5000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const found = frames.slice(from).find(match);
          if (!found) return;
          waiters.delete(check);
          clearTimeout(timer);
          resolve(found);
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`no matching frame within ${timeoutMs} ms; got ${JSON.stringify(frames)}`));
        }, timeoutMs);
        waiters.add(check);
        check();
      });
    },
  };
}

/** Resolves once the predicate holds, polling. */
export async function until(predicate: () => boolean, timeoutMs = 5000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 10));
  }
}
