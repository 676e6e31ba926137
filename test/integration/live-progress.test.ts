// The progress contract end to end: a real server on port 0, the worker pool with the random
// tiny.en model, real WebSocket clients. Transcriptions are slow on small machines, so each
// test makes as few as it can (a blocker task that is cancelled keeps others queued on demand).
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { badFile, longWav } from '../helpers/fixtures.ts';
import { startService, type TestService } from '../helpers/start-service.ts';
import { connect, until, type RecordingClient } from '../ws/mini-server.ts';

type Json = Record<string, any>;
let t: TestService;
const SLOW = 240_000;

beforeAll(async () => {
  t = await startService({ env: { HEARTBEAT_INTERVAL_MS: '200' } });
  const deadline = Date.now() + 90_000;
  while ((await fetch(`${t.url}/health/ready`)).status !== 200) {
    if (Date.now() > deadline) throw new Error('the worker never became ready');
    await new Promise((r) => setTimeout(r, 100));
  }
}, 120_000);
afterAll(async () => t?.close());

async function submit(file = longWav(3), name = 'tone.wav'): Promise<Json> {
  const body = new FormData();
  body.append('file', new Blob([new Uint8Array(readFileSync(file))]), name);
  const res = await fetch(`${t.url}/tasks`, { method: 'POST', body });
  expect(res.status).toBe(202);
  return (await res.json()) as Json;
}
const poll = async (id: string) => {
  const res = await fetch(`${t.url}/tasks/${id}/progress`);
  return { status: res.status, json: (await res.json()) as Json };
};
const watch = (id: string) => connect(`ws://127.0.0.1:${t.port}/ws/tasks/${id}`);
const isFinal = (f: Json) => f.stage === 'complete' || f.type === 'error';
const steps = (c: RecordingClient) => c.frames.filter((f) => f.type === 'progress').map((f) => `${f.stage}:${f.percentage}`);
const collapse = (xs: string[]) => xs.filter((x, i) => x !== xs[i - 1]);
const STAGE_ORDER = ['queued', 'transcribing', 'aligning', 'diarizing', 'complete'];

function expectOrdered(frames: Json[]): void {
  const progress = frames.filter((f) => f.type === 'progress');
  for (let i = 1; i < progress.length; i++) {
    const [a, b] = [progress[i - 1]!, progress[i]!];
    expect(STAGE_ORDER.indexOf(b.stage)).toBeGreaterThanOrEqual(STAGE_ORDER.indexOf(a.stage));
    expect(b.percentage).toBeGreaterThanOrEqual(a.percentage);
  }
}

describe('live progress over a real server', () => {
  it('cancels a queued task at once and a running one shortly after, both ending cancelled', async () => {
    const running = await submit();
    const watcher = await watch(running.identifier);
    await watcher.next((f) => f.stage === 'transcribing', 0, 60_000);
    const queued = await submit();
    expect((await poll(queued.identifier)).json.status).toBe('queued');

    const cancelQueued = await fetch(`${t.url}/tasks/${queued.identifier}/cancel`, { method: 'POST' });
    expect(cancelQueued.status).toBe(200);
    expect((await poll(queued.identifier)).json).toMatchObject({ status: 'cancelled', error: { error_code: 'CANCELLED' } });

    await fetch(`${t.url}/tasks/${running.identifier}/cancel`, { method: 'POST' });
    const error = await watcher.next((f) => f.type === 'error', 0, 15_000);
    expect(error).toMatchObject({ task_id: running.identifier, error_code: 'CANCELLED' });
    expect((await poll(running.identifier)).json.status).toBe('cancelled');
    watcher.ws.close();
    await until(() => !t.server.registry.has(running.identifier));
  }, SLOW);

  it('gives three watchers one sequence in stage order ending complete/100; joiners get the state at once; the registry empties', async () => {
    const blocker = await submit();
    const task = await submit();
    const clients = await Promise.all([1, 2, 3, 4].map(() => watch(task.identifier)));
    await Promise.all(clients.map((c) => c.next((f) => f.type === 'progress')));
    const [leaver, ...stayers] = clients as [RecordingClient, ...RecordingClient[]];
    await fetch(`${t.url}/tasks/${blocker.identifier}/cancel`, { method: 'POST' });

    await leaver.next((f) => f.stage === 'transcribing', 0, 60_000);
    leaver.ws.close();
    const late = await watch(task.identifier);
    const lateFirst = await late.next(() => true);
    expect(lateFirst.type).toBe('progress');
    expect(STAGE_ORDER.indexOf(lateFirst.stage)).toBeGreaterThanOrEqual(1);

    await Promise.all([...stayers, late].map((c) => c.next(isFinal, 0, SLOW)));
    const sequences = stayers.map((c) => collapse(steps(c)));
    expect(sequences[0]!.at(-1)).toBe('complete:100');
    expect(sequences[0]![0]).toBe('queued:0');
    expect(sequences[1]).toEqual(sequences[0]);
    expect(sequences[2]).toEqual(sequences[0]);
    // From the first live step on, every watcher got byte-identical frames.
    const live = (c: RecordingClient) => JSON.stringify(c.frames.filter((f) => f.type !== 'heartbeat' && f.stage !== 'queued'));
    expect(live(stayers[1]!)).toBe(live(stayers[0]!));
    expect(live(stayers[2]!)).toBe(live(stayers[0]!));
    for (const c of [...stayers, late]) expectOrdered(c.frames);
    expect(steps(late).at(-1)).toBe('complete:100');

    const after = await watch(task.identifier);
    expect(await after.next(() => true)).toMatchObject({ type: 'progress', stage: 'complete', percentage: 100, task_id: task.identifier });
    const result = await fetch(`${t.url}${task.links.result}?format=json`);
    expect(result.status).toBe(200);

    for (const c of [...stayers, late, after]) c.ws.close();
    await until(() => !t.server.registry.has(task.identifier));
    expect(t.server.registry.count()).toBe(0);
  }, SLOW);

  it('sends heartbeats at the configured interval, answers ping with pong and garbage with an error frame', async () => {
    // A task that has not ended (a socket on an ended one is closed after its final frame): it waits behind another.
    const blocker = await submit();
    const task = await submit();
    const c = await watch(task.identifier);
    await new Promise((r) => setTimeout(r, 1100));
    const beats = c.frames.filter((f) => f.type === 'heartbeat');
    expect(beats.length).toBeGreaterThanOrEqual(3);
    expect(beats.length).toBeLessThanOrEqual(8);
    c.ws.send('{"type":"ping"}');
    expect(await c.next((f) => f.type === 'pong')).toEqual({ type: 'pong' });
    const from = c.frames.length;
    c.ws.send('{{{ not json');
    expect(await c.next((f) => f.type === 'error', from)).toMatchObject({ error_code: 'INVALID_FRAME' });
    c.ws.send('{"type":"ping"}');
    await c.next((f) => f.type === 'pong', from);
    expect(c.ws.readyState).toBe(c.ws.OPEN);
    c.ws.close();
    for (const id of [task.identifier, blocker.identifier]) await fetch(`${t.url}/tasks/${id}/cancel`, { method: 'POST' });
  }, SLOW);

  it('serves polling with no socket ever connected, and 404 for unknown ids', async () => {
    const task = await submit();
    const seen: Json[] = [];
    const deadline = Date.now() + SLOW - 10_000;
    for (;;) {
      const { status, json } = await poll(task.identifier);
      expect(status).toBe(200);
      // The contract's five names, plus two additions: the stage's own progress and an estimate.
      expect(Object.keys(json).sort()).toEqual(['error', 'eta_seconds', 'identifier', 'progress_percentage', 'progress_stage', 'stage_progress', 'status']);
      seen.push(json);
      if (['completed', 'failed', 'cancelled'].includes(json.status) || Date.now() > deadline) break;
      await new Promise((r) => setTimeout(r, 250));
    }
    expect(seen.at(-1)).toEqual({ identifier: task.identifier, status: 'completed', progress_percentage: 100, progress_stage: 'complete', error: null, stage_progress: 100, eta_seconds: 0 });
    for (let i = 1; i < seen.length; i++) expect(seen[i]!.progress_percentage).toBeGreaterThanOrEqual(seen[i - 1]!.progress_percentage);
    expect((await poll('00000000-0000-4000-8000-000000000000')).status).toBe(404);
    expect((await poll('not-even-an-id')).status).toBe(404);
  }, SLOW);

  it('ends a corrupt upload with an error frame and a polled error carrying all three fields', async () => {
    const task = await submit(badFile('truncated-wav'), 'broken.wav');
    const c = await watch(task.identifier);
    const frame = await c.next((f) => f.type === 'error', 0, 120_000);
    expect(frame).toMatchObject({ task_id: task.identifier, error_code: 'AUDIO_DECODE_FAILED' });
    expect(frame.user_message.length).toBeGreaterThan(10);
    expect(frame.technical_detail.length).toBeGreaterThan(0);
    const { json } = await poll(task.identifier);
    expect(json.status).toBe('failed');
    expect(json.error).toEqual({ error_code: 'AUDIO_DECODE_FAILED', user_message: frame.user_message, technical_detail: frame.technical_detail });
    c.ws.close();
  }, SLOW);
});
