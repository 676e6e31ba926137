import type { KyselyPlugin } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { DatabaseHandle } from '../../src/db/database.ts';
import { createTaskStore } from '../../src/db/task-store.ts';
import { insertDelivery, listDeliveries } from '../../src/db/webhook-repository.ts';
import { createWebhookDispatcher, type DispatcherOptions, type WebhookDispatcher } from '../../src/webhooks/webhook-dispatcher.ts';
import { newTask } from '../db/store-fixtures.ts';
import { testEngines } from '../helpers/db-engines.ts';

const SECRET = `whsec_${Buffer.alloc(32, 5).toString('base64')}`;
const quiet = { debug() {}, info() {}, warn() {}, error() {} };
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until(check: () => Promise<boolean>, timeoutMs = 20_000): Promise<void> {
  for (const end = Date.now() + timeoutMs; !(await check()); await sleep(20)) {
    if (Date.now() > end) throw new Error('condition not met in time');
  }
}

// Every query of a node answers a little later, as over a network: SQLite in one process would
// otherwise run each sweep to its end within one turn, and two nodes' sweeps would never interleave.
const network: KyselyPlugin = {
  transformQuery: (args) => args.node,
  transformResult: async (args) => {
    await sleep(1);
    return args.result;
  },
};

// Two dispatchers on one database stand for two nodes sharing PostgreSQL: each sweeps on its own.
describe.each(testEngines())('webhook dispatchers sharing one database on $name', ({ open }) => {
  let h: DatabaseHandle;
  const dispatchers: WebhookDispatcher[] = [];
  const dispatcher = (send: DispatcherOptions['send'], extra: Partial<DispatcherOptions> = {}) => {
    const node = { ...h, db: h.db.withPlugin(network) };
    const d = createWebhookDispatcher({ h: node, secret: SECRET, baseDelayMs: 10, maxAttempts: 3, send, logger: quiet, ...extra });
    dispatchers.push(d);
    return d;
  };
  const addDeliveries = async (tasks: number, perTask: number) => {
    const store = createTaskStore(h);
    const now = Date.now();
    for (let t = 0; t < tasks; t++) {
      await store.insert(newTask(`t${t}`, '2030-01-01T00:00:00Z'));
      for (let e = 0; e < perTask; e++) {
        await insertDelivery(h.db, { id: `msg_${t}_${e}`, task_id: `t${t}`, event: 'task.progress', url: 'https://hooks.example.com/x', payload: '{}', created_at: new Date(now).toISOString(), next_attempt_ms: now });
      }
    }
  };
  const delivered = async (taskId: string) => (await listDeliveries(h.db, taskId)).every((d) => d.status === 'delivered');
  beforeEach(async () => {
    h = await open();
  });
  afterEach(async () => {
    for (const d of dispatchers.splice(0)) await d.stop();
    await h.close();
  });

  it('sends every delivery once, in order per task, when two sweep the same outbox', async () => {
    const sent: string[] = [];
    const send: DispatcherOptions['send'] = async (_url, _body, headers) => {
      sent.push(headers['webhook-id']!);
      await sleep(5);
      return { ok: true, status: 200, error: null, durationMs: 5 };
    };
    await addDeliveries(5, 4);
    const a = dispatcher(send);
    const b = dispatcher(send);
    a.start();
    b.start();
    await until(async () => (await Promise.all([0, 1, 2, 3, 4].map((t) => delivered(`t${t}`)))).every(Boolean));
    expect(sent).toHaveLength(20);
    expect(new Set(sent).size).toBe(20);
    for (let t = 0; t < 5; t++) expect(sent.filter((id) => id.startsWith(`msg_${t}_`))).toEqual([0, 1, 2, 3].map((e) => `msg_${t}_${e}`));
    const rows = await listDeliveries(h.db, 't0');
    expect(rows.map((d) => d.attempts)).toEqual([1, 1, 1, 1]);
  });

  it('finds a delivery another node wrote without waking it, within its sweep interval', async () => {
    const sent: string[] = [];
    const idle = dispatcher(async (_url, _body, headers) => {
      sent.push(headers['webhook-id']!);
      return { ok: true, status: 200, error: null, durationMs: 1 };
    }, { sweepMs: 100 });
    idle.start();
    await sleep(300); // its first sweep found nothing
    await addDeliveries(1, 2); // written elsewhere: nobody calls idle.wake()
    await until(() => delivered('t0'));
    expect(sent).toEqual(['msg_0_0', 'msg_0_1']);
  });

  it('gives a claim back when stopped mid-send, so the delivery is due at once again', async () => {
    await addDeliveries(1, 1);
    const [before] = await listDeliveries(h.db, 't0');
    let started = false;
    const hanging = dispatcher(async (_url, _body, _headers, { signal }) => {
      started = true;
      await new Promise((resolve) => signal?.addEventListener('abort', resolve, { once: true }));
      return { ok: false, status: null, error: 'aborted', durationMs: 1 };
    }, { claimMs: 600_000 });
    hanging.start();
    await until(async () => started);
    const [claimed] = await listDeliveries(h.db, 't0');
    expect(claimed!.next_attempt_ms).toBeGreaterThan(Date.now() + 500_000); // out of every node's reach while it is sent
    await hanging.stop();
    const [released] = await listDeliveries(h.db, 't0');
    expect(released).toMatchObject({ status: 'pending', attempts: 0, next_attempt_ms: before!.next_attempt_ms });
  });

  it('lets another node send a delivery whose claim lapsed (its node died mid-send), with the same webhook-id', async () => {
    await addDeliveries(1, 1);
    const seen: string[] = [];
    const dead = dispatcher(async (_url, _body, headers, { signal }) => {
      seen.push(`dead:${headers['webhook-id']}`);
      await new Promise((resolve) => signal?.addEventListener('abort', resolve, { once: true }));
      return { ok: false, status: null, error: 'aborted', durationMs: 1 };
    }, { claimMs: 300 });
    dead.start();
    await until(async () => seen.length === 1);
    const alive = dispatcher(async (_url, _body, headers) => {
      seen.push(`alive:${headers['webhook-id']}`);
      return { ok: true, status: 200, error: null, durationMs: 1 };
    });
    alive.start();
    await until(() => delivered('t0'));
    expect(seen).toEqual(['dead:msg_0_0', 'alive:msg_0_0']);
    await dead.stop(); // its late give-back must not undo the delivery
    expect(await listDeliveries(h.db, 't0')).toMatchObject([{ status: 'delivered', attempts: 1 }]);
  });
});
