import { randomBytes } from 'node:crypto';
import os from 'node:os';
import type { Config } from '../config.ts';
import type { DatabaseHandle } from '../db/database.ts';
import { createLeaseStore } from '../db/lease-repository.ts';
import type { EventBus } from '../events/event-bus.ts';
import type { Logger } from '../logger.ts';
import type { TaskEventMap } from '../tasks/task-events.ts';
import type { SharedQueue } from '../tasks/task-service-deps.ts';
import type { TaskStore } from '../tasks/task-service-types.ts';
import { createClusterScheduler, type ClusterScheduler } from './cluster-scheduler.ts';
import { createEventRelay, EVENTS_CHANNEL } from './event-relay.ts';
import { openPgChannel } from './pg-channel.ts';

const QUEUED_CHANNEL = 'whisper_task_queued';
const CANCEL_CHANNEL = 'whisper_task_cancel';

/** This node's part of a cluster: the shared queue for the task service, and what must be closed at the end. */
export interface ClusterNode {
  nodeId: string;
  shared: SharedQueue;
  /** Settles once this node listens (events from other nodes reach its bus from then on). */
  ready: Promise<void>;
  /** After the task service stopped: re-queues what this node still ran, at once rather than when its leases run out. */
  releaseLeases(): Promise<number>;
  close(): Promise<void>;
}

/** A name for this node in leases and heartbeats: NODE_NAME, or host, pid and a random suffix. */
export function nodeIdFor(config: Pick<Config, 'NODE_NAME'>): string {
  return config.NODE_NAME || `${os.hostname()}-${process.pid}-${randomBytes(3).toString('hex')}`;
}

/**
 * Joins the cluster on a PostgreSQL database: LISTEN for task events, new tasks and cancels;
 * leases for the tasks this node runs (none on an api node).
 */
export function joinCluster(options: {
  h: DatabaseHandle;
  config: Pick<Config, 'ROLE' | 'WORKERS' | 'LEASE_TIMEOUT_MS' | 'MAX_ATTEMPTS' | 'NODE_NAME'>;
  bus: EventBus<TaskEventMap>;
  store: Pick<TaskStore, 'get'>;
  /** Failures of the LISTEN connection, NOTIFY and the event relay are warnings: each is retried or re-read. */
  logger: Pick<Logger, 'warn'>;
}): ClusterNode {
  const { h, config, bus } = options;
  const log = (error: unknown, what: string) => options.logger.warn({ err: error }, `cluster: ${what} failed`);
  if (!h.pgPool) throw new Error('a cluster needs PostgreSQL (DATABASE_URL)');
  const nodeId = nodeIdFor(config);
  const leases = createLeaseStore(h);
  let scheduler: ClusterScheduler | undefined;
  const channel = openPgChannel(h.pgPool, [EVENTS_CHANNEL, QUEUED_CHANNEL, CANCEL_CHANNEL], (name, payload) => {
    if (name === EVENTS_CHANNEL) relay.receive(payload);
    else if (name === QUEUED_CHANNEL) scheduler?.wake();
    else if (name === CANCEL_CHANNEL) scheduler?.cancelHere(payload);
  }, {
    onError: (error) => log(error, 'listen'),
    // Messages sent while the connection was down are lost: the queue, cancel flags and task ends are re-read.
    onReconnect: () => {
      scheduler?.wake();
      void relay.resync();
    },
  });
  const relay = createEventRelay({ nodeId, bus, channel, store: options.store, onError: log });
  const notify = (name: string, payload: string) => void channel.notify(name, payload).catch((error: unknown) => log(error, `notify ${name}`));

  const shared: SharedQueue = {
    scheduler(ctx) {
      const s = createClusterScheduler(ctx, {
        workers: config.ROLE === 'api' ? 0 : config.WORKERS, nodeId, leases, leaseMs: config.LEASE_TIMEOUT_MS,
        maxAttempts: config.MAX_ATTEMPTS,
      });
      scheduler = s;
      return {
        ...s,
        enqueue(task) {
          s.enqueue(task);
          notify(QUEUED_CHANNEL, task.id);
        },
      };
    },
    cancelQueued: (id) => leases.cancelQueued(id),
    async requestCancel(id) {
      if (!(await leases.requestCancel(id))) return false;
      notify(CANCEL_CHANNEL, id);
      return true;
    },
    replaying: () => relay.replaying(),
  };
  return {
    nodeId,
    shared,
    ready: channel.ready,
    async releaseLeases() {
      const released = await leases.release(nodeId, 'Waiting to resume: the node running it shut down');
      if (released > 0) notify(QUEUED_CHANNEL, '');
      return released;
    },
    async close() {
      relay.close();
      await channel.close();
    },
  };
}
