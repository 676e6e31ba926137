import path from 'node:path';
import * as v from 'valibot';

const int = (min: number, fallback: number) =>
  v.pipe(
    v.optional(v.string(), String(fallback)),
    v.trim(),
    v.regex(/^\d+$/, 'must be a whole number'),
    v.transform(Number),
    v.minValue(min, `must be at least ${min}`),
  );
const bool = (fallback: boolean) =>
  v.pipe(
    v.optional(v.string(), fallback ? 'true' : 'false'),
    v.trim(),
    v.toLowerCase(),
    v.picklist(['1', '0', 'true', 'false', 'yes', 'no', 'on', 'off'], 'must be true or false'),
    v.transform((s) => ['1', 'true', 'yes', 'on'].includes(s)),
  );
const float = (min: number, max: number, fallback: number) =>
  v.pipe(
    v.optional(v.string(), String(fallback)),
    v.trim(),
    v.regex(/^\d+(\.\d+)?$/, 'must be a number such as 0.5'),
    v.transform(Number),
    v.minValue(min, `must be at least ${min}`),
    v.maxValue(max, `must be at most ${max}`),
  );
const list = v.pipe(
  v.optional(v.string(), ''),
  v.transform((s) => s.split(',').map((x) => x.trim()).filter(Boolean)),
);

// Standard Webhooks secrets: `whsec_` and base64; the key behind it should be 24 to 64 bytes.
function isWebhookSecret(s: string): boolean {
  const body = /^whsec_([A-Za-z0-9+/]+={0,2})$/.exec(s)?.[1];
  const bytes = body ? Buffer.from(body, 'base64').length : 0;
  return bytes >= 24 && bytes <= 64;
}

/** Every environment variable the server reads, with its default. README documents each one. */
const EnvSchema = v.object({
  PORT: v.pipe(int(0, 8000), v.maxValue(65535, 'must be at most 65535')),
  HOST: v.optional(v.pipe(v.string(), v.trim(), v.minLength(1)), '127.0.0.1'),
  DATA_DIR: v.optional(v.pipe(v.string(), v.minLength(1)), './data'),
  WHISPER_MODEL: v.optional(v.pipe(v.string(), v.minLength(1)), 'ggml-base.en.bin'),
  WHISPER_VAD_MODEL: v.optional(v.string(), ''),
  WHISPER_LIB_PATH: v.optional(v.string(), ''),
  WORKERS: int(1, 1),
  WHISPER_THREADS: int(1, 4),
  HEARTBEAT_INTERVAL_MS: int(50, 30000),
  TASK_TIMEOUT_MS: int(1000, 2 * 60 * 60 * 1000),
  LOG_LEVEL: v.optional(v.picklist(['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent']), 'info'),
  MAX_UPLOAD_BYTES: int(1, 1024 * 1024 * 1024),
  MAX_AUDIO_SECONDS: int(1, 4 * 60 * 60),
  DIARIZATION_SEGMENTATION_MODEL: v.optional(v.pipe(v.string(), v.minLength(1)), 'pyannote-segmentation-3.0.int8.onnx'),
  DIARIZATION_EMBEDDING_MODEL: v.optional(v.pipe(v.string(), v.minLength(1)), 'wespeaker_en_voxceleb_resnet34_LM.onnx'),
  DIARIZATION_THRESHOLD: float(0.01, 2, 0.5),
  DIARIZATION_MIN_DURATION_ON: float(0, 10, 0.3),
  DIARIZATION_MIN_DURATION_OFF: float(0, 10, 0.5),
  DIARIZATION_THREADS: int(1, 1),
  MAX_ATTEMPTS: int(1, 3),
  URL_FETCH_TIMEOUT_MS: int(100, 5 * 60 * 1000),
  URL_FETCH_ALLOW_HOSTS: list,
  WEBHOOK_URL: v.pipe(
    v.optional(v.string(), ''),
    v.trim(),
    v.check((s) => s === '' || /^https?:\/\/[^\s/?#]+/i.test(s), 'must be an http or https URL'),
  ),
  WEBHOOK_SECRET: v.pipe(
    v.optional(v.string(), ''),
    v.trim(),
    v.check((s) => s === '' || isWebhookSecret(s), 'must be whsec_ followed by the base64 of 24 to 64 random bytes'),
  ),
  WEBHOOK_RETRY_BASE_MS: int(1, 5000),
  WEBHOOK_MAX_ATTEMPTS: int(1, 10),
  WEBHOOK_TIMEOUT_MS: int(100, 10_000),
  IDEMPOTENCY_TTL_HOURS: int(1, 24),
  WHISPER_MODELS: list,
  MODEL_MEMORY_BYTES: int(0, 4 * 1024 ** 3),
  API_KEYS: v.optional(v.string(), ''),
  CORS_ORIGINS: list,
  MAX_QUEUED_TASKS: int(1, 1000),
  RATE_LIMIT_PER_MINUTE: int(0, 120),
  MAX_WS_CONNECTIONS: int(1, 10000),
  MAX_WS_CONNECTIONS_PER_TASK: int(1, 100),
  MAX_WS_FRAME_BYTES: int(64, 4096),
  SHUTDOWN_GRACE_MS: int(0, 30000),
  MEDIA_RETENTION_HOURS: int(0, 24),
  RESULT_RETENTION_DAYS: int(0, 30),
  TRUST_PROXY: bool(false),
  PUBLIC_URL: v.pipe(
    v.optional(v.string(), ''),
    v.trim(),
    v.check((s) => s === '' || /^https?:\/\/[^\s/?#]+(\/[^\s?#]*)?$/i.test(s), 'must be an http or https URL without query'),
    v.transform((s) => s.replace(/\/+$/, '')),
  ),
  UPLOAD_IDLE_TIMEOUT_MS: int(100, 60_000),
  UPLOAD_MIN_BYTES_PER_SECOND: int(1, 16 * 1024),
  MAX_CONCURRENT_UPLOADS: int(1, 16),
  // Scale-out (README "Cluster"): PostgreSQL instead of SQLite, and what this node does.
  // valibot checks a default too: '' (unset, SQLite) must pass the pipe.
  DATABASE_URL: v.optional(v.pipe(v.string(), v.trim(), v.regex(/^(postgres(ql)?:\/\/|$)/, 'must be a postgres:// or postgresql:// URL')), ''),
  DATABASE_POOL_SIZE: int(2, 10), // one connection is held by LISTEN
  ROLE: v.optional(v.picklist(['all', 'api', 'worker'], 'must be all, api or worker'), 'all'),
  MEDIA_DIR: v.optional(v.string(), ''), // '' = DATA_DIR/uploads
  LEASE_TIMEOUT_MS: int(1000, 30_000),
  NODE_NAME: v.optional(v.pipe(v.string(), v.trim(), v.maxLength(100, 'must be at most 100 characters')), ''),
});

/** The parsed, frozen configuration. */
export type Config = Readonly<v.InferOutput<typeof EnvSchema> & { DATA_DIR: string; MODELS_DIR: string; MEDIA_DIR: string }>;

/** Thrown when the environment holds a bad value; the message is one line naming the variable. */
export class ConfigError extends Error {}

/** Parses env once into a frozen Config; throws ConfigError with one clear line on a bad value. */
export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  const known = Object.fromEntries(
    Object.keys(EnvSchema.entries).flatMap((k) => (env[k] === undefined || env[k] === '' && k !== 'API_KEYS' ? [] : [[k, env[k]]])),
  );
  const result = v.safeParse(EnvSchema, known);
  if (!result.success) {
    const issue = result.issues[0]!;
    const key = v.getDotPath(issue) ?? 'environment';
    throw new ConfigError(`Invalid configuration: ${key}=${JSON.stringify(known[key] ?? '')} ${issue.message}`);
  }
  if (result.output.WEBHOOK_URL !== '' && result.output.WEBHOOK_SECRET === '') {
    throw new ConfigError('Invalid configuration: WEBHOOK_URL is set but WEBHOOK_SECRET is not; webhooks are always signed (WEBHOOK_SECRET=whsec_...).');
  }
  if (result.output.ROLE !== 'all' && result.output.DATABASE_URL === '') {
    throw new ConfigError(`Invalid configuration: ROLE=${result.output.ROLE} needs DATABASE_URL: separate api and worker nodes share one PostgreSQL database (SQLite serves one process).`);
  }
  const dataDir = path.resolve(result.output.DATA_DIR);
  const mediaDir = path.resolve(result.output.MEDIA_DIR || path.join(dataDir, 'uploads'));
  return Object.freeze({ ...result.output, DATA_DIR: dataDir, MODELS_DIR: path.join(dataDir, 'models'), MEDIA_DIR: mediaDir });
}
