import { afterEach, describe, expect, it } from 'vitest';
import { connect, startMiniServer, until } from '../ws/mini-server.ts';

let mini: Awaited<ReturnType<typeof startMiniServer>> | undefined;
afterEach(async () => {
  await mini?.close();
  mini = undefined;
});

describe('WebSocket limits', () => {
  it('closes a socket over MAX_WS_CONNECTIONS with 4429 and a reason, across tasks', async () => {
    mini = await startMiniServer({ MAX_WS_CONNECTIONS: '3', MAX_WS_CONNECTIONS_PER_TASK: '10' });
    const tasks = [{ id: await mini.submit() }, { id: await mini.submit() }];
    const open = await Promise.all([tasks[0], tasks[0], tasks[1]].map((t) => connect(mini!.wsUrl(t!.id))));
    await Promise.all(open.map((c) => c.next((f) => f.type === 'progress')));
    const over = await connect(mini.wsUrl(tasks[1]!.id));
    const closed = await over.closed;
    expect(closed).toEqual({ code: 4429, reason: 'TOO_MANY_CONNECTIONS' });
    expect(over.frames[0]).toMatchObject({ type: 'error', error_code: 'TOO_MANY_CONNECTIONS' });
    expect(mini.registry.count()).toBe(3);
    // A place freed is a place given.
    open[0]!.ws.close();
    await until(() => mini!.registry.count() === 2);
    const again = await connect(mini.wsUrl(tasks[1]!.id));
    expect(await again.next((f) => f.type === 'progress')).toMatchObject({ task_id: tasks[1]!.id });
    for (const c of [...open, again]) c.ws.close();
  });

  it('answers a frame over MAX_WS_FRAME_BYTES with INVALID_FRAME, and closes 1009 on one too big to buffer', async () => {
    mini = await startMiniServer({ MAX_WS_FRAME_BYTES: '64' });
    const task = { id: await mini.submit() };
    const c = await connect(mini.wsUrl(task.id));
    await c.next((f) => f.type === 'progress');
    c.ws.send(JSON.stringify({ type: 'ping', pad: 'x'.repeat(100) }));
    const error = await c.next((f) => f.type === 'error');
    expect(error).toMatchObject({ error_code: 'INVALID_FRAME' });
    expect(error.technical_detail).toMatch(/exceeds the limit of 64 bytes/);
    c.ws.send(JSON.stringify({ type: 'ping' }));
    await c.next((f) => f.type === 'pong');

    c.ws.send(Buffer.alloc(2 * 1024 * 1024, 0x61));
    expect((await c.closed).code).toBe(1009);
    await until(() => mini!.registry.count() === 0);
    expect((await fetch(`${mini.url}/health/live`)).status).toBe(200);
  });
});
