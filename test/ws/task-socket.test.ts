import { afterEach, describe, expect, it } from 'vitest';
import { taskError } from '../../src/tasks/errors.ts';
import { connect, startMiniServer, until } from './mini-server.ts';

type Server = Awaited<ReturnType<typeof startMiniServer>>;
let server: Server | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});
const start = async (env: Record<string, string> = {}) => (server = await startMiniServer(env));
const progressOf = (frames: Record<string, any>[]) => frames.filter((f) => f.type === 'progress').map((f) => `${f.stage}:${f.percentage}`);

describe('/ws/tasks/:id', () => {
  it('sends the current state at once, then the same progress to every watcher, ending complete/100', async () => {
    const s = await start();
    const task = s.tasks.seed();
    const clients = await Promise.all([1, 2, 3].map(() => connect(s.wsUrl(task.id))));
    await Promise.all(clients.map((c) => c.next((f) => f.type === 'progress')));
    s.tasks.step(task.id, 'transcribing', 10);
    s.tasks.step(task.id, 'transcribing', 25);
    s.tasks.segment(task.id, { id: 0, start: 0, end: 1, text: 'hi', noSpeechProb: 0, avgLogprob: 0, tokens: [] });
    s.tasks.step(task.id, 'aligning', 40);
    s.tasks.complete(task.id);
    await Promise.all(clients.map((c) => c.next((f) => f.stage === 'complete')));
    const sequences = clients.map((c) => progressOf(c.frames));
    expect(sequences[0]).toEqual(['queued:0', 'transcribing:10', 'transcribing:25', 'aligning:40', 'complete:100']);
    expect(sequences[1]).toEqual(sequences[0]);
    expect(sequences[2]).toEqual(sequences[0]);
    const frame = clients[0]!.frames.find((f) => f.stage === 'aligning')!;
    expect(Object.keys(frame).sort()).toEqual(['message', 'percentage', 'stage', 'task_id', 'timestamp', 'type']);
    expect(frame.task_id).toBe(task.id);
    expect(new Date(frame.timestamp).toISOString()).toBe(frame.timestamp);
    expect(clients[0]!.frames.find((f) => f.type === 'segment')).toMatchObject({ task_id: task.id, segment: { text: 'hi' } });
  });

  it('never sends a percentage that goes down or a stage that goes back, nor a second final message', async () => {
    const s = await start();
    const task = s.tasks.seed();
    const c = await connect(s.wsUrl(task.id));
    s.tasks.step(task.id, 'aligning', 45);
    s.tasks.step(task.id, 'transcribing', 30);
    s.tasks.step(task.id, 'aligning', 44);
    s.tasks.step(task.id, 'diarizing', 60);
    s.tasks.complete(task.id);
    s.tasks.step(task.id, 'complete', 100);
    s.tasks.fail(task.id);
    await c.next((f) => f.stage === 'complete');
    await new Promise((r) => setTimeout(r, 50));
    expect(progressOf(c.frames)).toEqual(['queued:0', 'aligning:45', 'diarizing:60', 'complete:100']);
    expect(c.frames.filter((f) => f.type === 'error')).toEqual([]);
  });

  it('gives a late joiner the current state and an after-the-end joiner the final message', async () => {
    const s = await start();
    const task = s.tasks.seed();
    s.tasks.step(task.id, 'transcribing', 33);
    const late = await connect(s.wsUrl(task.id));
    expect(await late.next(() => true)).toMatchObject({ type: 'progress', stage: 'transcribing', percentage: 33 });
    s.tasks.complete(task.id);
    const after = await connect(s.wsUrl(task.id));
    expect(await after.next(() => true)).toMatchObject({ type: 'progress', stage: 'complete', percentage: 100 });
    const failed = s.tasks.seed();
    s.tasks.fail(failed.id, taskError('NO_AUDIO', 'no audio stream'));
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
    const task = s.tasks.seed();
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
    const task = s.tasks.seed();
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
    const task = s.tasks.seed();
    const [a, b, c] = await Promise.all([1, 2, 3].map(() => connect(s.wsUrl(task.id))));
    await until(() => s.registry.count(task.id) === 3);
    a!.ws.close();
    await until(() => s.registry.count(task.id) === 2);
    s.tasks.step(task.id, 'transcribing', 50);
    await Promise.all([b!, c!].map((x) => x.next((f) => f.percentage === 50)));
    b!.ws.terminate();
    c!.ws.close();
    await until(() => !s.registry.has(task.id));
    expect(s.registry.count()).toBe(0);
  });

  it('closes the watchers of a deleted task and refuses sockets over the per-task limit', async () => {
    const s = await start({ MAX_WS_CONNECTIONS_PER_TASK: '2' });
    const task = s.tasks.seed();
    const [a, b] = await Promise.all([1, 2].map(() => connect(s.wsUrl(task.id))));
    await until(() => s.registry.count(task.id) === 2);
    const third = await connect(s.wsUrl(task.id));
    expect(await third.next(() => true)).toMatchObject({ error_code: 'TOO_MANY_CONNECTIONS' });
    expect((await third.closed).code).toBe(4429);
    const res = await fetch(`${s.url}/tasks/${task.id}`, { method: 'DELETE' });
    expect(res.status).toBe(204);
    // The fake cancels a queued task before deleting it: the watchers get that final frame, then a normal close.
    for (const watcher of [a!, b!]) {
      expect((await watcher.closed).code).toBe(1000);
      expect(watcher.frames.at(-1)).toMatchObject({ type: 'error', error_code: 'CANCELLED' });
    }
    expect(s.registry.count()).toBe(0);
  });

  it('answers a plain GET on the socket path with 426', async () => {
    const s = await start();
    const res = await fetch(`${s.url}/ws/tasks/x`);
    expect(res.status).toBe(426);
  });
});
