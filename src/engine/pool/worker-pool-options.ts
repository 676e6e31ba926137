import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { DiarizerOptions } from '../worker/diarizer.ts';
import { packageRoot } from '../package-root.ts';
import { freshWorkerBundle } from './worker-bundle.ts';
import { SILENT_LOGGER, type Logger } from '../../logger.ts';
import type { SpawnWorker } from './worker-handle.ts';

/** What createWorkerPool needs; everything but the model path and sizes has a default. */
export interface WorkerPoolOptions {
  /** Number of worker processes (each holds its own copy of the model). */
  workers: number;
  /** whisper.cpp threads per worker. */
  threads: number;
  modelPath: string;
  /** Path to libwhisper.so; empty or absent lets the worker's loader search. */
  libPath?: string;
  /** Silero VAD model; needed only for tasks that ask for VAD. */
  vadModelPath?: string;
  /** Speaker diarization models and tuning; absent: workers cannot diarize. */
  diarization?: DiarizationOptions;
  /** Token-level DTW timestamps (alignment heads of the model's preset); absent: the worker's default (on). */
  dtw?: boolean;
  /** A task running longer than this is killed with its worker and fails with TASK_TIMEOUT. */
  taskTimeoutMs: number;
  /** The child's entry module (default: src/engine/worker-main.ts, forked as its bundle; see runnableEntry). */
  entry?: string;
  log?: Logger;
  /** Replaces child_process.fork (tests). */
  spawn?: SpawnWorker;
  /** Extra environment for the children, on top of the parent's. */
  env?: Record<string, string>;
  /** How long a running task may take to answer a cancel before its worker is SIGKILLed and replaced (the one
   * cancel timer; cancel() of the task service waits for this at most). The worker answers at once from its JS
   * thread while whisper.cpp winds down off it, so only a stuck worker reaches this. Default 1500 ms. */
  cancelGraceMs?: number;
  /** How long close() waits for children to exit after `shutdown` before SIGKILL. */
  shutdownGraceMs?: number;
  /** Restart back-off after a worker fails to start: first delay and cap. */
  restartBackoffMs?: { initial: number; max: number };
  /** Nice value for workers (higher is lower priority); default 0: a nicer worker only loses the CPU to other
   * work without making polls faster (README, Performance). Workers also inherit the server's own nice. */
  niceness?: number;
}

/** What workers need to diarize (passed through the environment, read by src/engine/worker/diarizer-env.ts). */
export type DiarizationOptions = DiarizerOptions;

/** The options with every default filled in. */
export type ResolvedPoolOptions = Required<Omit<WorkerPoolOptions, 'libPath' | 'vadModelPath' | 'spawn' | 'dtw' | 'diarization'>> &
  Pick<WorkerPoolOptions, 'libPath' | 'vadModelPath' | 'spawn' | 'dtw' | 'diarization'>;

// engine/worker-main.ts under tsx, engine/worker-main.js when running the compiled build (dist/): the
// child's entry stays at the engine's root, where the Docker image and its checks expect it.
const HERE = fileURLToPath(import.meta.url);
const DEFAULT_ENTRY = path.resolve(path.dirname(HERE), '..', `worker-main${path.extname(HERE)}`);
// In node_modules so that the bundle's imports of the external packages resolve as they do from src/.
const BUNDLE_FILE = path.join(packageRoot(path.dirname(HERE)), 'node_modules/.cache/whisper-tasks/worker-main.mjs');
// Native addons (and what loads them) stay imports; everything else goes into the one file.
const BUNDLE_EXTERNAL = ['koffi', 'better-sqlite3', 'sherpa-onnx-node'];

/**
 * The module to fork for `entry`. The default TypeScript entry becomes its esbuild bundle (checked
 * against its sources at every fork, rebuilt when stale), so workers start without the tsx loader;
 * any other entry, and the compiled build's worker-main.js, are forked as given.
 */
export function runnableEntry(entry: string, log: Logger): string {
  if (entry !== DEFAULT_ENTRY || !entry.endsWith('.ts')) return entry;
  const bundle = freshWorkerBundle({ source: entry, outFile: BUNDLE_FILE, root: packageRoot(path.dirname(HERE)), external: BUNDLE_EXTERNAL,
    alsoDependsOn: ['package-lock.json', 'tsconfig.json'] });
  if (bundle.ok) {
    if (bundle.built) log.info({ entry: bundle.entry }, 'bundled the worker entry');
    return bundle.entry;
  }
  log.warn({ reason: bundle.reason }, 'worker bundle unavailable; forking the TypeScript entry under tsx');
  return entry;
}

/** Fills in defaults and checks the sizes (a pool of zero workers would queue forever). */
export function resolvePoolOptions(options: WorkerPoolOptions): ResolvedPoolOptions {
  if (!Number.isInteger(options.workers) || options.workers < 1) throw new RangeError(`workers must be ≥ 1, got ${options.workers}`);
  if (!Number.isInteger(options.threads) || options.threads < 1) throw new RangeError(`threads must be ≥ 1, got ${options.threads}`);
  return {
    ...options,
    entry: options.entry ?? DEFAULT_ENTRY,
    log: options.log ?? SILENT_LOGGER,
    env: options.env ?? {},
    cancelGraceMs: options.cancelGraceMs ?? 1500,
    shutdownGraceMs: options.shutdownGraceMs ?? 2000,
    restartBackoffMs: options.restartBackoffMs ?? { initial: 500, max: 30_000 },
    niceness: options.niceness ?? 0,
  };
}

/** The environment a worker reads its settings from (see the header of worker-main.ts). */
export function workerEnv(options: ResolvedPoolOptions): NodeJS.ProcessEnv {
  return {
    ...process.env,
    ...options.env,
    WHISPER_MODEL: path.resolve(options.modelPath),
    WHISPER_THREADS: String(options.threads),
    WHISPER_LIB_PATH: options.libPath ?? '',
    WHISPER_VAD_MODEL: options.vadModelPath ? path.resolve(options.vadModelPath) : '',
    WORKER_NICE: String(options.niceness),
    WORKER_PARENT_PID: String(process.pid),
    ...(options.dtw !== undefined && { WHISPER_DTW: options.dtw ? '1' : '0' }),
    ...diarizationEnv(options.diarization),
  };
}

function diarizationEnv(d: DiarizationOptions | undefined): Record<string, string> {
  if (!d) return { DIARIZATION_SEGMENTATION_MODEL: '', DIARIZATION_EMBEDDING_MODEL: '' };
  return {
    DIARIZATION_SEGMENTATION_MODEL: path.resolve(d.segmentationModel),
    DIARIZATION_EMBEDDING_MODEL: path.resolve(d.embeddingModel),
    DIARIZATION_THRESHOLD: String(d.threshold),
    DIARIZATION_MIN_DURATION_ON: String(d.minDurationOn),
    DIARIZATION_MIN_DURATION_OFF: String(d.minDurationOff),
    DIARIZATION_THREADS: String(d.threads),
  };
}
