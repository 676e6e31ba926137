import { afterEach, describe, expect, it } from 'vitest';
import { joinCluster, type ClusterNode } from '../../src/cluster/cluster-node.ts';
import { openPostgres, type DatabaseHandle } from '../../src/db/database.ts';
import { createTaskStore } from '../../src/db/task-store.ts';
import { createEventBus, type EventBus } from '../../src/events/event-bus.ts';
import type { TaskEventMap } from '../../src/tasks/task-events.ts';
import { createTaskService } from '../../src/tasks/task-service.ts';
import type { TaskService } from '../../src/tasks/task-service-types.ts';
import { createPostgresDatabase, type TestDatabase } from '../helpers/db-engines.ts';
import { createFakeTranscriber, fakeSegment, type FakeTranscriber } from '../helpers/fake-transcriber.ts';
import { input, nextEvent, recordEvents, recordingLogger, until } from '../tasks/service-fixtures.ts';

// Nodes of one cluster in one process: each its own pool, bus, service and LISTEN connection, sharing a
// PostgreSQL database. The fake engine plays the workers, so leases, sweeps and cancels are exercised
// without native code (test/integration/cluster.test.ts runs real node processes).

const LEASE_MS = 600;
const hasPg = Boolean(process.env.PG_TEST_URL);

interface Node {
  name: string;
  h: DatabaseHandle;
  bus: EventBus<TaskEventMap>;
  engine: FakeTranscriber;
  service: TaskService;
  cluster: ClusterNode;
  busErrors: unknown[];
}

describe.skipIf(!hasPg)('the shared queue of a cluster (in one process)', () => {
  let database: TestDatabase | undefined;
  const nodes: Node[] = [];
  afterEach(async () => {
    for (const node of nodes.splice(0)) {
      await node.service.stop(0);
      await node.cluster.close();
      await node.h.close();
      expect(node.busErrors).toEqual([]);
    }
    await database?.drop();
    database = undefined;
  });

  const start = async (name: string, role: 'api' | 'worker', maxAttempts = 3): Promise<Node> => {
    database ??= await createPostgresDatabase();
    const h = openPostgres(database.url, 4);
    const busErrors: unknown[] = [];
    const bus = createEventBus<TaskEventMap>((error) => void busErrors.push(error));
    const store = createTaskStore(h);
    const logger = recordingLogger();
    const config = { ROLE: role, WORKERS: 1, LEASE_TIMEOUT_MS: LEASE_MS, MAX_ATTEMPTS: maxAttempts, NODE_NAME: name };
    const cluster = joinCluster({ h, config, bus, store, logger: { warn: (fields) => void busErrors.push(fields) } });
    await cluster.ready;
    const engine = createFakeTranscriber('manual', { ready: role === 'api' ? 0 : 1 });
    const service = createTaskService({ store, bus, transcriber: engine, logger, config, shared: cluster.shared, remoteCancelWaitMs: 1500 });
    await service.start();
    const node = { name, h, bus, engine, service, cluster, busErrors };
    nodes.push(node);
    return node;
  };

  it('runs a task submitted on an api node on a worker node, and the api node hears every step', async () => {
    const api = await start('api', 'api');
    const worker = await start('w1', 'worker');
    const heard = recordEvents(api.bus);
    const task = await api.service.submit(input('a'));
    const [job] = await worker.engine.waitForJobs(1);
    expect(job!.job.taskId).toBe(task.id);
    job!.started(10);
    job!.progress(50);
    job!.segment(fakeSegment(0));
    // Polling and late joiners on the api node see the worker's latest step, not only the row.
    await until(() => (api.service.liveProgress?.(task.id)?.percentage ?? 0) >= 25, 5000);
    expect(await api.service.snapshot(task.id)).toMatchObject({ kind: 'progress', event: { stage: 'transcribing' } });
    const completed = nextEvent(api.bus, 'task.completed', (e) => e.taskId === task.id);
    job!.succeed();
    expect((await completed).result.segments).toHaveLength(1); // read from the row: NOTIFY carries only the id
    const names = heard.map(([name]) => name);
    expect(names).toEqual(expect.arrayContaining(['task.created', 'task.progress', 'task.segment', 'task.completed']));
    expect(await api.service.get(task.id)).toMatchObject({ status: 'completed', attempts: 1 });
  });

  it('re-queues the task of a node that stopped renewing its lease, and another node finishes it', async () => {
    const api = await start('api', 'api');
    const dying = await start('w1', 'worker');
    const task = await api.service.submit(input('a'));
    await dying.engine.waitForJobs(1);
    // The node hangs: no renewal, no writes (what a SIGKILL leaves behind, seen from the database).
    await dying.service.stop(0);
    const rescuer = await start('w2', 'worker');
    const [job] = await rescuer.engine.waitForJobs(1);
    expect(job!.job.taskId).toBe(task.id);
    job!.succeed();
    await until(async () => (await api.service.get(task.id))?.status === 'completed', 10_000);
    expect(await api.service.get(task.id)).toMatchObject({ attempts: 2 });
  });

  it('fails with TOO_MANY_ATTEMPTS a task whose nodes died MAX_ATTEMPTS times, and tells every node', async () => {
    const api = await start('api', 'api', 1);
    const dying = await start('w1', 'worker', 1);
    const task = await api.service.submit(input('a'));
    await dying.engine.waitForJobs(1);
    await dying.service.stop(0);
    const failed = await nextEvent(api.bus, 'task.failed', (e) => e.taskId === task.id);
    expect(failed).toMatchObject({ status: 'failed', error: { code: 'TOO_MANY_ATTEMPTS' } });
    expect(await api.service.get(task.id)).toMatchObject({ status: 'failed', attempts: 1 });
  });

  it('stops on its worker node a task cancelled on an api node, and ends it cancelled', async () => {
    const api = await start('api', 'api');
    const worker = await start('w1', 'worker');
    const task = await api.service.submit(input('a'));
    const [job] = await worker.engine.waitForJobs(1);
    await until(async () => (await api.service.get(task.id))?.status === 'processing', 5000);
    const started = Date.now();
    const after = await api.service.cancel(task.id);
    expect(job!.cancelRequested).toBe(true);
    expect(after).toMatchObject({ status: 'cancelled', error: { code: 'CANCELLED' } });
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it('cancels a queued task on any node without it ever starting', async () => {
    const api = await start('api', 'api');
    const task = await api.service.submit(input('a'));
    const failed = nextEvent(api.bus, 'task.failed');
    expect(await api.service.cancel(task.id)).toMatchObject({ status: 'cancelled' });
    expect(await failed).toMatchObject({ taskId: task.id, status: 'cancelled' });
    const worker = await start('w1', 'worker');
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(worker.engine.jobs).toHaveLength(0);
  });

  it('answers queue places from the database on every node', async () => {
    const api = await start('api', 'api');
    const other = await start('api-2', 'api');
    const ids = [];
    for (const name of ['a', 'b', 'c']) ids.push((await api.service.submit(input(name))).id);
    // 20 s of media ahead and 10 s of its own at the default 0.5 s per media second, one worker.
    expect(await other.service.queueInfo(ids[2]!)).toEqual({ position: 3, etaSeconds: 15 });
    expect(await other.service.snapshot(ids[1]!)).toMatchObject({ kind: 'progress', event: { queuePosition: 2 } });
  });
});
