/**
 * Worker child process entry. The parent forks it with an IPC channel (`fork(file, [], { stdio: [..., 'ipc'] })`):
 * from sources as its esbuild bundle (worker-bundle.ts), compiled as dist/engine/worker-main.js.
 *
 * Options come from the environment (see workerEnv() in worker-pool-options.ts):
 *   WHISPER_MODEL       model file (required)
 *   WHISPER_THREADS     whisper.cpp threads (default 4)
 *   WHISPER_LIB_PATH    libwhisper.so or the folder holding it (default: native/build/{cuda,cpu}/lib)
 *   WHISPER_VAD_MODEL   Silero VAD model (ggml) for tasks with `vad` (optional; loaded on first use)
 *   WHISPER_DTW         1/0: DTW token timestamps with the model's alignment heads (default 1)
 *   WHISPER_USE_GPU     1/0 (default 1; no effect with the CPU library), WHISPER_GPU_DEVICE (default 0)
 *   WORKER_NICE         niceness it gives itself at start (default 0; never lowered below what it inherited)
 *   MAX_AUDIO_SECONDS   decoding fails past this much audio (default: no limit)
 *   WORKER_PARENT_PID   the pool's pid, to tell a parent that died before start-up (default: process.ppid)
 *
 * Protocol (src/engine/protocol.ts): first `ready` or `load_failed` (then it exits 1). Then, per
 * `transcribe`: `started` (media duration: the job's when the intake knew it, else probed here),
 * `progress` 0..100, `segment` as produced, and `result` or `failed`. A second `transcribe` while
 * one runs is answered `failed` (PROCESSING_FAILED). `cancel` ends the running task with `failed` CANCELLED; `shutdown` cancels, frees the model and
 * exits 0; losing the parent kills the process at once (see worker-lifetime.ts). Native warnings
 * and errors go to stderr for the parent's crash reports.
 */
import os from 'node:os';
import { TaskFailure, taskError } from '../tasks/errors.ts';
import type { ChildMessage } from './protocol.ts';
import { diarizerFromEnv } from './worker/diarizer-env.ts';
import { createWhisperEngine } from './worker/whisper-engine.ts';
import { guardWorkerProcess, killSelf } from './worker/worker-lifetime.ts';
import { createMediaReader } from './worker/media-reader.ts';
import { createWorkerSession } from './worker/worker-session.ts';

const env = process.env;
const flag = (name: string, fallback: boolean) => (env[name] ? !['0', 'false', 'no', 'off'].includes(env[name]!.toLowerCase()) : fallback);
const int = (name: string, fallback: number) => (env[name] && /^\d+$/.test(env[name]!) ? Number(env[name]) : fallback);
const warn = (text: string) => process.stderr.write(`${text}\n`);

// A send that fails means the parent is gone (EPIPE, a closed channel): nobody will read our results,
// and writing a warning to its dead stderr would only throw again. Die at once.
function send(message: ChildMessage, then?: () => void): void {
  if (!process.connected) return killSelf(`cannot send ${message.type}: the IPC channel is closed`);
  process.send!(message, (err: Error | null) => {
    if (err) return killSelf(`could not send ${message.type} (${err.message}): the parent is gone`);
    then?.();
  });
}

// Before any native or pool thread exists, so every thread created later inherits it.
try {
  const nice = int('WORKER_NICE', 0);
  os.setPriority(0, Math.max(nice, os.getPriority(0)));
} catch (err) {
  warn(`worker: could not lower CPU priority: ${err instanceof Error ? err.message : String(err)}`);
}

if (!process.send) {
  warn('worker-main.ts must be started by the worker pool (child_process.fork with an IPC channel)');
  process.exit(2);
}

// Decoder chunks stay small; the engine groups them into whisper_full chunks of at most 10 minutes.
const media = createMediaReader({ chunkSeconds: 30, maxSeconds: int('MAX_AUDIO_SECONDS', 0) || undefined });

const engine = createWhisperEngine({ onLog: (level, text) => warn(`whisper.cpp ${level}: ${text}`) });
const diarizer = diarizerFromEnv(env);
const session = createWorkerSession({ engine, media, send, warn, diarizer });
let stopping = false;
// Parent death, dead pipes, uncaught errors and exits during a native call all end in a SIGKILL of self.
guardWorkerProcess({ parentPid: int('WORKER_PARENT_PID', 0) || process.ppid, nativeBusy: () => engine.nativeBusy() || (diarizer?.busy() ?? false), warn });

async function stop(code: number): Promise<void> {
  if (stopping) return;
  stopping = true;
  await session.stop();
  // A model still loading is a native call in flight: then the exit hook SIGKILLs instead of exiting.
  if (!engine.nativeBusy()) engine.close();
  process.exit(code);
}

process.on('message', (raw: unknown) => {
  if ((raw as { type?: unknown } | null)?.type === 'shutdown') void stop(0);
  else if (!stopping) session.handle(raw);
});

const modelPath = env.WHISPER_MODEL ?? '';
try {
  if (!modelPath) throw new TaskFailure('MODEL_UNAVAILABLE', 'WHISPER_MODEL is not set for the worker');
  const model = await engine.load(modelPath, {
    threads: Math.max(1, int('WHISPER_THREADS', 4)),
    useGpu: flag('WHISPER_USE_GPU', true),
    gpuDevice: int('WHISPER_GPU_DEVICE', 0),
    dtw: flag('WHISPER_DTW', true),
    vadModelPath: env.WHISPER_VAD_MODEL || undefined,
  });
  send({ type: 'ready', model: { name: model.name, type: model.type, multilingual: model.multilingual }, systemInfo: engine.systemInfo() });
} catch (err) {
  const error = err instanceof TaskFailure ? { ...err.toTaskError(), code: 'MODEL_UNAVAILABLE' as const }
    : taskError('MODEL_UNAVAILABLE', err instanceof Error ? (err.stack ?? err.message) : String(err));
  warn(`worker: could not load the model: ${error.technicalDetail}`);
  stopping = true;
  // Exit once the message is out; the parent restarts workers with back-off.
  send({ type: 'load_failed', error }, () => process.exit(1));
}
