import type { DatabaseHandle } from '../db/database.ts';
import type { Logger } from '../logger.ts';
import type { TaskError } from '../contract/task-error.ts';
import type { Transcriber } from '../tasks/types.ts';

/** What a worker node says about itself in its heartbeat. */
interface NodeState {
  model: ReturnType<Transcriber['modelInfo']>;
  unavailable: TaskError | null;
}

/** How often worker nodes write their heartbeat, and api nodes read them. */
export const ROSTER_INTERVAL_MS = 2000;

/**
 * A worker node's heartbeat in `cluster_nodes`: its ready workers and model, every ROSTER_INTERVAL_MS.
 * Returns stop(), which removes the node's row. A failed write is logged and tried again at the next beat.
 */
export function startHeartbeat(h: DatabaseHandle, nodeId: string, engine: Transcriber, logger: Pick<Logger, 'warn'>): () => Promise<void> {
  const onError = (error: unknown) => logger.warn({ err: error }, 'could not write this node\'s heartbeat');
  const beat = async () => {
    const state: NodeState = { model: engine.modelInfo(), unavailable: engine.unavailable?.() ?? null };
    const row = { ready_workers: engine.readyCount(), state: JSON.stringify(state), seen_ms: Date.now() };
    await h.db.insertInto('cluster_nodes').values({ node_id: nodeId, ...row })
      .onConflict((oc) => oc.column('node_id').doUpdateSet(row)).execute();
  };
  let busy = false;
  const timer = setInterval(() => {
    if (busy) return;
    busy = true;
    beat().catch(onError).finally(() => (busy = false));
  }, ROSTER_INTERVAL_MS);
  timer.unref();
  void beat().catch(onError);
  return async () => {
    clearInterval(timer);
    await h.db.deleteFrom('cluster_nodes').where('node_id', '=', nodeId).execute().catch(onError);
  };
}

/**
 * The engine as an api node sees it: the sum of the worker nodes whose heartbeat is fresher than
 * `staleMs`. It runs nothing itself; the shared queue carries the work. A failed read is logged and
 * the last one kept.
 */
export function createRosterEngine(h: DatabaseHandle, staleMs: number, logger: Pick<Logger, 'warn'>): Transcriber {
  const onError = (error: unknown) => logger.warn({ err: error }, 'could not read the worker nodes');
  let ready = 0;
  let nodes: NodeState[] = [];
  const read = async () => {
    const rows = await h.db.selectFrom('cluster_nodes').selectAll().where('seen_ms', '>=', Date.now() - staleMs).execute();
    ready = rows.reduce((sum, r) => sum + r.ready_workers, 0);
    nodes = rows.map((r) => JSON.parse(r.state) as NodeState);
  };
  const timer = setInterval(() => void read().catch(onError), ROSTER_INTERVAL_MS);
  timer.unref();
  void read().catch(onError);
  return {
    run: async () => ({ ok: false, error: { code: 'PROCESSING_FAILED', userMessage: 'This node runs no transcription.', technicalDetail: 'ROLE=api' } }),
    cancel: () => false,
    readyCount: () => ready,
    modelInfo: () => nodes.find((n) => n.model)?.model ?? null,
    // Only when every live worker node says its model is missing: with no worker node at all, tasks wait for one.
    unavailable: () => (nodes.length > 0 && nodes.every((n) => n.unavailable) ? nodes[0]!.unavailable : null),
    close: async () => clearInterval(timer),
  };
}
