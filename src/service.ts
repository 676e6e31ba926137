import { sql } from 'kysely';
import type { Config } from './config.ts';
import { databaseFile, openDatabase, openPostgres, type DatabaseHandle } from './db/database.ts';
import { DIARIZATION_DOWNLOAD, resolveDiarization } from './diarization-models.ts';
import { migrateToLatest } from './db/migrate.ts';
import { createRetentionStore } from './db/retention-store.ts';
import { createTaskStore } from './db/task-store.ts';
import { createIdempotencyStore } from './db/idempotency-store.ts';
import { joinCluster, type ClusterNode } from './cluster/cluster-node.ts';
import { createRosterEngine, ROSTER_INTERVAL_MS, startHeartbeat } from './cluster/roster.ts';
import { createWorkerPool } from './engine/pool/worker-pool.ts';
import type { WorkerPoolOptions } from './engine/pool/worker-pool-options.ts';
import { createEventBus } from './events/event-bus.ts';
import { createApp, type CreatedApp } from './http/app.ts';
import type { MediaProber } from './http/intake/media-check.ts';
import { createLogger, type Logger } from './logger.ts';
import { createMediaStore } from './media/media-store.ts';
import { createAppMetrics } from './metrics/app-metrics.ts';
import { resolveModelPath, resolveVadPath } from './model-path.ts';
import { createModelCatalog } from './models/model-catalog.ts';
import { createModelRouter } from './models/model-router.ts';
import { measureDiskUsage } from './retention/disk-usage.ts';
import { createRetention } from './retention/retention-service.ts';
import type { TaskEventMap } from './tasks/task-events.ts';
import { createTaskService } from './tasks/task-service.ts';
import type { TaskService } from './tasks/task-service-types.ts';
import type { Transcriber } from './tasks/types.ts';
import { createWebhookService } from './webhooks/webhook-service.ts';
import { bridgeBusToRegistry } from './ws/bus-bridge.ts';
import { createRegistry, type Registry } from './ws/registry.ts';

/** What tests (and later features) may swap in when building the service. */
export interface ServiceOverrides {
  /** Replaces the worker pool; the caller keeps ownership and closes it. */
  transcriber?: Transcriber;
  logger?: Logger;
  /** With a replaced transcriber: whether it labels speakers (default: whether the models are there). */
  canDiarize?: boolean;
  /** Whether `vad=true` is accepted (default: whether the VAD model file is there). */
  canVad?: boolean;
  /** Extra worker-pool options (entry, spawn, env, grace times). */
  pool?: Partial<WorkerPoolOptions>;
  /** The SQLite file instead of DATA_DIR/whisper-tasks.db; `:memory:` for tests that need no file. */
  sqliteFile?: string;
  /** Replaces the upload media probe (unit tests on threads, where ffprobe cannot be spawned). */
  probeMedia?: MediaProber;
}

/** The whole service but the listener: what src/server.ts serves, and what tests drive with app.request(). */
export interface Service {
  config: Config;
  logger: Logger;
  tasks: TaskService;
  /** Sockets watching tasks (tests check that it empties). */
  registry: Registry;
  app: CreatedApp;
  /** Recovers and schedules stored tasks, and starts webhooks and retention. */
  start(): Promise<void>;
  /**
   * New work is refused with 503 and sockets close 1001; running tasks get `graceMs`; background jobs
   * stop; in a cluster, running tasks are handed back. Reads are still served meanwhile.
   */
  drain(graceMs: number): Promise<void>;
  /** Closes what drain left: the app, the bus subscriptions, the workers and the database. */
  dispose(): Promise<void>;
}

/**
 * The composition root: config → db → migrations → bus → workers → task service → sockets, metrics
 * → HTTP/WS app. With DATABASE_URL the node joins a cluster on PostgreSQL: ROLE=api runs no workers,
 * ROLE=worker serves only health and metrics, and ROLE=all does both (src/cluster).
 */
export async function createService(config: Config, overrides: ServiceOverrides = {}): Promise<Service> {
  const logger = overrides.logger ?? createLogger(config);
  const media = createMediaStore(config.MEDIA_DIR, config.DATA_DIR);
  await media.ensure();
  const clustered = config.DATABASE_URL !== '';
  const db = clustered ? openPostgres(config.DATABASE_URL, config.DATABASE_POOL_SIZE) : openDatabase(overrides.sqliteFile ?? databaseFile(config.DATA_DIR));
  try {
    const applied = await migrateToLatest(db.db);
    if (applied.length > 0) logger.info({ migrations: applied }, 'database migrated');
  } catch (error) {
    await db.close();
    throw error;
  }

  // What is built so far, undone in reverse when a later step fails (a bad API_KEYS file, a cluster
  // that cannot be joined), so a failed start leaves no workers or open database behind.
  const undo: Array<() => unknown> = [() => db.close()];
  try {
    const bus = createEventBus<TaskEventMap>((error, name) => logger.error({ err: error, event: name }, 'event listener failed'));
    const diarization = resolveDiarization(config);
    if (!diarization.available) {
      logger.info({ segmentation: diarization.segmentationModel, embedding: diarization.embeddingModel },
        `Speaker diarization is off: its models are missing. Get them with: ${DIARIZATION_DOWNLOAD}`);
    }
    const models = createModelCatalog(config);
    // One pool per model in use (WHISPER_MODELS), the default's started now; see src/models/model-router.ts.
    // A worker node whose heartbeat is older than this (three missed beats at least) no longer counts.
    const rosterStaleMs = Math.max(3 * ROSTER_INTERVAL_MS, config.LEASE_TIMEOUT_MS);
    const transcriber = overrides.transcriber ?? (config.ROLE === 'api' ? createRosterEngine(db, rosterStaleMs, logger) : createModelRouter({
      catalog: models, workers: config.WORKERS, budgetBytes: config.MODEL_MEMORY_BYTES,
      createPool: (model) => createPool({ ...config, WHISPER_MODEL: model.path }, logger, { diarization: diarization.options ?? undefined, ...overrides.pool }),
      log: logger,
    }));
    if (!overrides.transcriber) undo.push(() => transcriber.close());
    const webhooks = createWebhookService({ h: db, config, logger });
    // One process on its own SQLite file is the only writer of its rows; cluster nodes are not.
    const store = webhooks.wrapStore(createTaskStore(db, { soleWriter: !clustered }));
    let cluster: ClusterNode | undefined;
    if (clustered) {
      cluster = joinCluster({ h: db, config, bus, store, logger });
      const joined = cluster;
      undo.push(() => joined.close());
      await cluster.ready;
      logger.info({ node: cluster.nodeId, role: config.ROLE }, 'joined the cluster');
    }
    const tasks = createTaskService({ store, bus, transcriber, config, logger, shared: cluster?.shared, deleteMedia: media.remove });
    const registry = createRegistry();
    const bridge = bridgeBusToRegistry(bus, registry);
    const metrics = createAppMetrics({
      bus, tasks, sockets: () => registry.count(), workersReady: () => transcriber.readyCount(),
      onWorkerRestart: (transcriber as PoolEvents).onWorkerRestart?.bind(transcriber), measureDisk: () => measureDiskUsage(config.DATA_DIR, media),
      webhooks,
    });
    undo.push(() => bridge.close(), () => metrics.close());
    // Clients get a trimmed technical detail (publicDetail); the whole of it is kept here.
    const stopFailureLog = bus.on('task.failed', ({ taskId, error, status }) => {
      if (status === 'failed') logger.warn({ taskId, code: error.code, detail: error.technicalDetail }, `task failed: ${error.userMessage}`);
    });
    const app = createApp({
      config, tasks, media, bus, registry, bridge, metrics, engine: transcriber, dbReady: () => databaseAnswers(db), logger, webhooks,
      idempotency: createIdempotencyStore(db, config.IDEMPOTENCY_TTL_HOURS * 3_600_000), models,
      canDiarize: overrides.canDiarize ?? diarization.available, canVad: overrides.canVad ?? resolveVadPath(config).exists,
      probeMedia: overrides.probeMedia,
    });
    const retention = createRetention({
      store: createRetentionStore(db), media, logger,
      mediaRetentionHours: config.MEDIA_RETENTION_HOURS, resultRetentionDays: config.RESULT_RETENTION_DAYS,
      removeTask: (id) => tasks.remove(id),
    });
    let stopHeartbeat: (() => Promise<void>) | undefined;

    return {
      config, logger, tasks, registry, app,
      async start() {
        if (clustered && config.ROLE !== 'api') {
          stopHeartbeat = startHeartbeat(db, cluster!.nodeId, transcriber, logger);
        }
        await tasks.start();
        webhooks.start();
        retention.start();
      },
      async drain(graceMs) {
        // The listener stays open through the drain: new work gets 503 SHUTTING_DOWN (a refused
        // connection would look like a crash to clients and load balancers), reads are still served.
        app.drain();
        await Promise.all([tasks.stop(graceMs), retention.stop()]);
        await webhooks.stop(); // deliveries in flight stay pending and go out after the next start
        await stopHeartbeat?.();
        if (cluster) {
          const released = await cluster.releaseLeases().catch((error: unknown) => {
            logger.warn({ err: error }, 'could not hand back running tasks; they are re-queued when their leases run out');
            return 0;
          });
          if (released > 0) logger.info({ tasks: released }, 'handed running tasks back to the queue');
          await cluster.close();
        }
      },
      async dispose() {
        app.dispose();
        stopFailureLog();
        bridge.close();
        metrics.close();
        if (!overrides.transcriber) await transcriber.close();
        if (db.sqlite) checkpoint(db.sqlite, logger);
        await db.close();
      },
    };
  } catch (error) {
    for (const step of undo.reverse()) await Promise.resolve().then(step).catch(() => {});
    throw error;
  }
}

/** The worker pool's extra event (the roster engine and test fakes lack it). */
interface PoolEvents {
  onWorkerRestart?(listener: (restart: { slot: number; reason: string }) => void): () => void;
}

/** SQLite: the file is open. PostgreSQL: a trivial query answers within a second. */
async function databaseAnswers(db: DatabaseHandle): Promise<boolean> {
  if (!db.isOpen()) return false;
  if (db.dialect === 'sqlite') return true;
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), 1000)));
  const query = sql`select 1`.execute(db.db).then(() => true, () => false);
  const answered = await Promise.race([query, timeout]);
  clearTimeout(timer);
  return answered;
}

/** Folds the WAL into the database file so a stopped server leaves one self-contained file. */
function checkpoint(sqlite: NonNullable<DatabaseHandle['sqlite']>, logger: Logger): void {
  try {
    sqlite.pragma('wal_checkpoint(TRUNCATE)');
  } catch (error) {
    // Not fatal: SQLite replays the WAL at the next open.
    logger.warn({ err: error }, 'WAL checkpoint at shutdown failed');
  }
}

function createPool(config: Config, logger: Logger, extra: Partial<WorkerPoolOptions> = {}): Transcriber {
  const model = resolveModelPath(config);
  if (!model.exists) {
    logger.warn({ model: model.path },
      `Model file not found: ${model.path}. Download it with: npm run models:download -- ${model.name} (the server stays not ready until it loads)`);
  }
  const vad = resolveVadPath(config);
  return createWorkerPool({
    workers: config.WORKERS,
    threads: config.WHISPER_THREADS,
    modelPath: model.path,
    libPath: config.WHISPER_LIB_PATH || undefined,
    vadModelPath: vad.exists ? vad.path : undefined,
    taskTimeoutMs: config.TASK_TIMEOUT_MS,
    log: logger,
    ...extra,
    // The upload check trusts headers; workers hold decoding to the same limit on what the file really holds.
    env: { MAX_AUDIO_SECONDS: String(config.MAX_AUDIO_SECONDS), ...extra.env },
  });
}
