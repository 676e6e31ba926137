import type { Config } from '../config.ts';
import type { Logger } from '../logger.ts';
import type { EventBus } from '../events/event-bus.ts';
import type { TaskEventMap } from '../tasks/task-events.ts';
import type { TaskService } from '../tasks/task-service-types.ts';
import type { Transcriber } from '../tasks/types.ts';
import type { WebhookApi } from '../webhooks/webhook-types.ts';
import type { IdempotencyApi } from './intake/idempotent-submit.ts';
import type { ModelCatalog } from '../models/model-catalog.ts';
import type { MediaProber } from './intake/media-check.ts';
import type { MediaStore } from '../media/media-store.ts';
import type { AppMetrics } from '../metrics/app-metrics.ts';
import type { BusBridge } from '../ws/bus-bridge.ts';
import type { Registry } from '../ws/registry.ts';

/** Everything the HTTP app needs from the rest of the server, passed in by the composition root. */
export interface AppDeps {
  config: Config;
  tasks: TaskService;
  /** Where uploads and downloads are stored (MEDIA_DIR); also measured for /metrics. */
  media: MediaStore;
  bus: EventBus<TaskEventMap>;
  /** The sockets watching tasks (/ws/tasks/:id), fed by the bridge from the bus. */
  registry: Registry;
  bridge: BusBridge;
  /** Recorded by the HTTP middleware, served at /metrics. */
  metrics: AppMetrics;
  engine: Pick<Transcriber, 'readyCount' | 'modelInfo' | 'unavailable'> & {
    /** Present on the worker pool: tells when a worker process is replaced (counted in /metrics). */
    onWorkerRestart?(listener: (restart: { slot: number; reason: string }) => void): () => void;
  };
  /** Whether the database answers (PostgreSQL: a query within a second). */
  dbReady(): boolean | Promise<boolean>;
  logger: Logger;
  /** True when a diarizer is wired in; without one, `diarize=true` is refused at submit time. */
  canDiarize?: boolean;
  /** False when the VAD model is missing: `vad=true` is then refused at submit time (absent: accepted). */
  canVad?: boolean;
  /** Signed webhooks (src/webhooks): callback URLs, the delivery log, redelivery; absent in some tests. */
  webhooks?: WebhookApi;
  /** The models a request may pick (WHISPER_MODELS); without it only the engine's own model is served. */
  models?: ModelCatalog;
  /** Idempotency-Key records; without them the header is ignored (some tests). */
  idempotency?: IdempotencyApi;
  /** Replaces the media probe used on uploads (tests); src/audio's probe is the default. */
  probeMedia?: MediaProber;
}
