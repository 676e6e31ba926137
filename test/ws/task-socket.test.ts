import { afterEach, describe, expect, it } from 'vitest';
import { STAGES } from '../../src/contract/status.ts';
import { taskError } from '../../src/tasks/errors.ts';
import { fakeSegment } from '../helpers/fake-transcriber.ts';
import { pollUntil } from '../helpers/start-service.ts';
import { connect, startMiniServer, until } from './mini-server.ts';

type Server = Awaited<ReturnType<typeof startMiniServer>>;
let server: Server | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});
const start = async (env: Record<string, string> = {}) => (server = await startMiniServer(env));
const progressOf = (frames: Record<string, any>[]) => frames.filter((f) => f.type === 'progress').map((f) => `${f.stage}:${f.percentage}`);
/** Stage order and percentage folded into one number, as the bridge ranks steps. */
const rankOf = (step: string) => STAGES.indexOf(step.split(':')[0] as never) * 1000 + Number(step.split(':')[1]);
/** A task that waits in the queue (one worker, busy with `blocker`) until the test lets it run. */
async function queuedBehindAnother(s: Server) {
  const blocker = await s.submit();
  const id = await s.submit({ word_timestamps: 'true' });
  await s.jobOf(blocker);
  return { id, run: async () => ((await s.jobOf(blocker)).succeed(), s.jobOf(id)) };
}

describe('/ws/tasks/:id', () => {
  it('sends the current state at once, then the same progress to every watcher, ending complete/100', async () => {
    const s = await start();
    const task = await queuedBehindAnother(s);
    const clients = await Promise.all([1, 2, 3].map(() => connect(s.wsUrl(task.id))));
    await Promise.all(clients.map((c) => c.next((f) => f.type === 'progress')));
    const job = await task.run();
    job.started(11);
    job.progress(50);
    job.segment(fakeSegment(0, 'hi'));
    job.progress(100);
    job.stage('aligning', 1);
    await Promise.all(clients.map((c) => c.next((f) => f.stage === 'aligning')));
    job.succeed();
    await Promise.all(clients.map((c) => c.next((f) => f.stage === 'complete')));
    const sequences = clients.map((c) => progressOf(c.frames));
    expect(sequences[0]![0]).toBe('queued:0');
    expect(sequences[0]!.at(-1)).toBe('complete:100');
    expect(sequences[0]!.some((p) => p.startsWith('transcribing:'))).toBe(true);
    const ranks = sequences[0]!.map(rankOf);
    expect(ranks).toEqual([...ranks].sort((a, b) => a - b)); // never back, never down
    expect(sequences[1]).toEqual(sequences[0]);
    expect(sequences[2]).toEqual(sequences[0]);
    const frame = clients[0]!.frames.find((f) => f.stage === 'aligning')!;
    // The contract's fields, and the stage's own progress and an estimate where the service knows them.
    const keys = Object.keys(frame).filter((k) => !['stage_progress', 'eta_seconds', 'queue_position'].includes(k));
    expect(keys.sort()).toEqual(['message', 'percentage', 'stage', 'task_id', 'timestamp', 'type']);
    expect(frame.task_id).toBe(task.id);
    expect(new Date(frame.timestamp).toISOString()).toBe(frame.timestamp);
    expect(clients[0]!.frames.find((f) => f.type === 'segment')).toMatchObject({ task_id: task.id, segment: { text: 'hi' } });
  });

  it('gives a late joiner the current state and an after-the-end joiner the final message', async () => {
    const s = await start();
    const task = { id: await s.submit() };
    const job = await s.jobOf(task.id);
    job.started(11);
    job.progress(50);
    const row = await pollUntil(() => s.tasks.get(task.id), (r) => r!.percentage > 10, 10_000);
    const late = await connect(s.wsUrl(task.id));
    const first = await late.next(() => true);
    expect(first).toMatchObject({ type: 'progress', stage: 'transcribing' });
    expect(first.percentage).toBeGreaterThanOrEqual(row!.percentage); // the current state, not the queue's
    job.succeed();
    await s.settled(task.id, 'completed');
    const after = await connect(s.wsUrl(task.id));
    expect(await after.next(() => true)).toMatchObject({ type: 'progress', stage: 'complete', percentage: 100 });
    const failed = { id: await s.submit() };
    (await s.jobOf(failed.id)).fail(taskError('NO_AUDIO', 'no audio stream'));
    await s.settled(failed.id, 'failed');
    const toFailed = await connect(s.wsUrl(failed.id));
    expect(await toFailed.next(() => true)).toMatchObject({ type: 'error', task_id: failed.id, error_code: 'NO_AUDIO', technical_detail: 'no audio stream', user_message: expect.any(String) });
  });

  it('answers an unknown task with an error frame and close code 4404', async () => {
    const s = await start();
    const c = await connect(s.wsUrl('no-such-task'));
    expect(await c.next(() => true)).toMatchObject({ type: 'error', error_code: 'TASK_NOT_FOUND' });
    expect((await c.closed).code).toBe(4404);
    expect(s.registry.count()).toBe(0);
  });

  it('answers ping with pong and any other frame with INVALID_FRAME, staying up', async () => {
    const s = await start({ MAX_WS_FRAME_BYTES: '128' });
    const task = { id: await s.submit() };
    const c = await connect(s.wsUrl(task.id));
    for (const garbage of ['not json', '{"type":"subscribe"}', '[1,2]', 'null', JSON.stringify({ type: 'ping', pad: 'x'.repeat(200) })]) {
      const from = c.frames.length;
      c.ws.send(garbage);
      const error = await c.next((f) => f.type === 'error', from);
      expect(error).toMatchObject({ error_code: 'INVALID_FRAME', task_id: task.id });
    }
    const from = c.frames.length;
    c.ws.send(Buffer.from([1, 2, 3]), { binary: true });
    expect((await c.next((f) => f.type === 'error', from)).technical_detail).toMatch(/binary/);
    c.ws.send('{"type":"ping"}');
    expect(await c.next((f) => f.type === 'pong')).toEqual({ type: 'pong' });
    expect(c.ws.readyState).toBe(c.ws.OPEN);
  });

  it('sends heartbeats at the configured interval and drops a peer that stops answering pings', async () => {
    const s = await start({ HEARTBEAT_INTERVAL_MS: '100' });
    const task = { id: await s.submit() };
    const alive = await connect(s.wsUrl(task.id));
    const mute = await connect(s.wsUrl(task.id), { autoPong: false });
    await new Promise((r) => setTimeout(r, 650));
    const beats = alive.frames.filter((f) => f.type === 'heartbeat');
    expect(beats.length).toBeGreaterThanOrEqual(3);
    expect(beats.length).toBeLessThanOrEqual(8);
    const gaps = beats.slice(1).map((b, i) => Date.parse(b.timestamp) - Date.parse(beats[i]!.timestamp));
    expect(Math.min(...gaps)).toBeGreaterThanOrEqual(50);
    expect((await mute.closed).code).toBe(1006);
    await until(() => s.registry.count(task.id) === 1);
    expect(alive.ws.readyState).toBe(alive.ws.OPEN);
  });

  it('removes a closed client at once without disturbing the others, and the registry empties', async () => {
    const s = await start();
    const task = { id: await s.submit() };
    const job = await s.jobOf(task.id);
    const [a, b, c] = await Promise.all([1, 2, 3].map(() => connect(s.wsUrl(task.id))));
    await until(() => s.registry.count(task.id) === 3);
    a!.ws.close();
    await until(() => s.registry.count(task.id) === 2);
    const from = a!.frames.length;
    job.started(11);
    await Promise.all([b!, c!].map((x) => x.next((f) => f.stage === 'transcribing')));
    expect(a!.frames.length).toBe(from); // the closed one got nothing more
    b!.ws.terminate();
    c!.ws.close();
    await until(() => !s.registry.has(task.id));
    expect(s.registry.count()).toBe(0);
  });

  it('closes the watchers of a deleted task and refuses sockets over the per-task limit', async () => {
    const s = await start({ MAX_WS_CONNECTIONS_PER_TASK: '2' });
    await s.jobOf(await s.submit()); // the one worker is busy: the task below stays queued
    const task = { id: await s.submit() };
    const [a, b] = await Promise.all([1, 2].map(() => connect(s.wsUrl(task.id))));
    await until(() => s.registry.count(task.id) === 2);
    const third = await connect(s.wsUrl(task.id));
    expect(await third.next(() => true)).toMatchObject({ error_code: 'TOO_MANY_CONNECTIONS' });
    expect((await third.closed).code).toBe(4429);
    const res = await fetch(`${s.url}/tasks/${task.id}`, { method: 'DELETE' });
    expect(res.status).toBe(204);
    // A queued task is deleted without a cancel first: its watchers are closed 4404, as for an unknown task.
    // (The fake task service used to cancel it first, which sent a CANCELLED frame the real one never sends.)
    for (const watcher of [a!, b!]) {
      expect(await watcher.closed).toEqual({ code: 4404, reason: 'task deleted' });
      expect(watcher.frames.filter((f) => f.type === 'error')).toEqual([]);
    }
    expect(s.registry.count()).toBe(0);
  });

  it('answers a plain GET on the socket path with 426', async () => {
    const s = await start();
    const res = await fetch(`${s.url}/ws/tasks/x`);
    expect(res.status).toBe(426);
  });
});
