import fc from 'fast-check';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFuzzServer, waitFor, type FuzzServer } from './fuzz-server.ts';

// Property-based abuse of the WebSocket: random client frames (text, binary, huge, malformed JSON,
// unknown types) and random task paths. The server must answer or close cleanly, never crash,
// keep its registry consistent, and leave existing tasks unchanged. Bounded in runs and time.

const RUNS = Number(process.env.FUZZ_RUNS ?? 60);
const LIMITS = { numRuns: RUNS, interruptAfterTimeLimit: Number(process.env.FUZZ_SECONDS ?? 20) * 1000, markInterruptAsFailure: false } as const;
const TEST_MS = LIMITS.interruptAfterTimeLimit + 40_000;
const FRAME_LIMIT = 256;
const PAYLOAD_LIMIT = 64 * 1024; // what ws itself refuses (MAX_WS_FRAME_BYTES × 16, at least 64 KiB)

let s: FuzzServer;
beforeAll(async () => {
  s = await startFuzzServer({ MAX_WS_FRAME_BYTES: String(FRAME_LIMIT) });
}, 30_000);
afterAll(async () => {
  await s?.close();
});

type Frame = { text: string } | { binary: Uint8Array };

const frame: fc.Arbitrary<Frame> = fc.oneof(
  fc.constantFrom('{"type":"ping"}', '{"type":"pong"}', '{"type":"PING"}', '{"type":null}', '{"type":["ping"]}', '{"type":"ping","x":1}', '{"type":"subscribe","task_id":"*"}', '[]', 'null', '0', '"ping"', '{', '{"type":"ping"', '\u0000', '').map((text) => ({ text })),
  fc.jsonValue({ maxDepth: 4 }).map((v) => ({ text: JSON.stringify(v) ?? 'null' })),
  fc.record({ type: fc.string({ maxLength: 30 }), task_id: fc.string({ maxLength: 40 }) }).map((v) => ({ text: JSON.stringify(v) })),
  fc.string({ unit: 'binary', maxLength: 400 }).map((text) => ({ text })),
  fc.uint8Array({ maxLength: 600 }).map((binary) => ({ binary })),
  fc.integer({ min: FRAME_LIMIT, max: 3 * PAYLOAD_LIMIT }).map((n) => ({ text: `{"type":"ping","pad":"${'x'.repeat(n)}"}` })),
);

function expectedReply(f: Frame): 'pong' | 'error' {
  if (!('text' in f) || Buffer.byteLength(f.text) > FRAME_LIMIT) return 'error';
  try {
    const parsed = JSON.parse(f.text) as unknown;
    return typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed) && (parsed as { type?: unknown }).type === 'ping' ? 'pong' : 'error';
  } catch {
    return 'error'; // not JSON: the server must say so
  }
}

/** Opens a socket and collects what it gets until it closes or the run ends. */
function open(url: string) {
  const ws = new WebSocket(url);
  const frames: Array<Record<string, unknown>> = [];
  let closeCode: number | null = null;
  let failed: unknown = null;
  ws.on('message', (data, isBinary) => {
    expect(isBinary).toBe(false);
    frames.push(JSON.parse(data.toString()) as Record<string, unknown>);
  });
  ws.on('error', (error) => (failed = error));
  const closed = new Promise<void>((resolve) => ws.on('close', (code) => {
    closeCode = code;
    resolve();
  }));
  const opened = new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('unexpected-response', (_req, res) => reject(new Error(`upgrade refused with ${res.statusCode}`)));
    ws.once('error', reject);
  });
  return { ws, frames, opened, closed, closeCode: () => closeCode, failed: () => failed };
}

describe('WebSocket fuzzing', () => {
  it('answers every client frame with pong or an error frame, or closes 1009 for an oversized one', async () => {
    // A socket on a task that has ended gets the final frame and a normal close (1000), so the
    // frames are sent on the one that is still queued.
    const ended = open(`${s.test.url.replace('http', 'ws')}/ws/tasks/${s.protectedIds[0]}`);
    await ended.closed;
    expect(ended.closeCode()).toBe(1000);
    expect(ended.frames).toEqual([expect.objectContaining({ type: 'progress', stage: 'complete' })]);
    const which = 1;
    await fc.assert(fc.asyncProperty(fc.array(frame, { minLength: 1, maxLength: 6 }), async (sent) => {
      const c = open(`${s.test.url.replace('http', 'ws')}/ws/tasks/${s.protectedIds[which]}`);
      await c.opened;
      await waitFor(() => c.frames.length >= 1); // the current state comes first
      const tooBig = sent.findIndex((f) => ('text' in f ? Buffer.byteLength(f.text) : f.binary.length) > PAYLOAD_LIMIT);
      const answered = tooBig < 0 ? sent : sent.slice(0, tooBig);
      for (const f of sent) c.ws.send('text' in f ? f.text : f.binary, { binary: 'binary' in f });
      if (tooBig >= 0) {
        await c.closed;
        expect(c.closeCode()).toBe(1009);
      } else {
        await waitFor(() => c.frames.length >= 1 + answered.length);
        c.ws.close();
        await c.closed;
      }
      // One answer per frame, in order: pong for a ping that fits the limit, INVALID_FRAME for anything else.
      const replies = c.frames.slice(1);
      if (tooBig < 0) expect(replies.map((f) => f.type)).toEqual(answered.map(expectedReply));
      for (const reply of replies) {
        expect(['pong', 'error']).toContain(reply.type);
        if (reply.type === 'error') expect(reply).toMatchObject({ error_code: 'INVALID_FRAME', task_id: s.protectedIds[which] });
      }
    }), LIMITS);
    await waitFor(() => s.test.server.registry.count() === 0);
    await s.assertIntact();
  }, TEST_MS);

  it('refuses any odd task path cleanly: 4404 for an unknown id, an HTTP error for a bad path', async () => {
    const odd = fc.oneof(fc.string({ unit: 'binary', maxLength: 60 }), fc.constantFrom('..', '../tasks', '%2e%2e', '%00', '*', 'x'.repeat(5000)));
    await fc.assert(fc.asyncProperty(odd, fc.option(fc.string({ maxLength: 40 }), { nil: undefined }), async (id, token) => {
      const query = token === undefined ? '' : `?token=${encodeURIComponent(token)}`;
      const c = open(`${s.test.url.replace('http', 'ws')}/ws/tasks/${encodeURIComponent(id)}${query}`);
      const outcome = await c.opened.then(() => 'open', (error: Error) => error.message);
      if (outcome === 'open') {
        await c.closed;
        expect(c.closeCode()).toBe(4404);
        expect(c.frames[0]).toMatchObject({ type: 'error', error_code: 'TASK_NOT_FOUND' });
      } else {
        expect(outcome).toMatch(/upgrade refused with 4\d\d|Unexpected server response: 4\d\d|Invalid URL/);
      }
    }), LIMITS);
    expect(s.test.server.registry.count()).toBe(0);
    await s.assertIntact();
  }, TEST_MS);

  it('closes 1007 on text frames that are not UTF-8, and stays healthy', async () => {
    const bad = fc.uint8Array({ minLength: 1, maxLength: 50 }).filter((b) => !Buffer.from(b).equals(Buffer.from(Buffer.from(b).toString('utf8'))));
    await fc.assert(fc.asyncProperty(bad, async (bytes) => {
      const c = open(`${s.test.url.replace('http', 'ws')}/ws/tasks/${s.protectedIds[1]}`);
      await c.opened;
      c.ws.send(Buffer.from(bytes), { binary: false });
      await c.closed;
      expect(c.closeCode()).toBe(1007);
    }), { ...LIMITS, numRuns: Math.min(RUNS, 30) });
    await waitFor(() => s.test.server.registry.count() === 0);
    await s.assertIntact();
  }, TEST_MS);
});
