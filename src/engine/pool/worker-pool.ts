import { taskError, type TaskError } from '../../tasks/errors.ts';
import type { JobOutcome, Transcriber } from '../../tasks/types.ts';
import type { ChildMessage } from '../protocol.ts';
import { createWorkerHandle, type WorkerExit, type WorkerHandle } from './worker-handle.ts';
import { resolvePoolOptions, runnableEntry, workerEnv, type WorkerPoolOptions } from './worker-pool-options.ts';
import { failed as fail, resolveJob, routeTaskMessage, type PendingJob, type RunningJob } from './worker-pool-task.ts';

// setTimeout fires at once for delays past 2^31-1 ms (about 24.8 days); longer limits mean "that long".
const MAX_TIMER_MS = 2 ** 31 - 1;

type ModelInfo = NonNullable<ReturnType<Transcriber['modelInfo']>>;

/** One place in the pool; its process is replaced when it dies, the slot stays. */
interface Slot {
  index: number;
  handle: WorkerHandle | null;
  /** starting: loading the model; ready: can take a task; retiring: killed, waiting for its exit. */
  state: 'starting' | 'ready' | 'retiring';
  task: RunningJob | null;
  startFailures: number;
  restartTimer: NodeJS.Timeout | null;
  /** Called when the current process has exited (close() waits on these). */
  exitWaiters: Array<() => void>;
}

/** Why a worker was replaced: it died after loading the model, or it never got that far. */
export type WorkerRestart = { slot: number; reason: 'exited' | 'start_failed' };

/** The engine as the scheduler sees it, plus the worker pids (benchmarks read their memory). */
export interface WorkerPool extends Transcriber {
  workerPids(): number[];
  /** The load error while no worker has the model (missing or unloadable file); null while loading or loaded. */
  unavailable(): TaskError | null;
  /** Calls the listener each time a worker process is replaced (metrics count them); returns an unsubscribe. */
  onWorkerRestart(listener: (restart: WorkerRestart) => void): () => void;
}

/** Starts `workers` child processes that each load the model once and run one job at a time, FIFO. */
export function createWorkerPool(input: WorkerPoolOptions): WorkerPool {
  const options = resolvePoolOptions(input);
  const { log } = options;
  const env = workerEnv(options);
  const queue: PendingJob[] = [];
  const slots: Slot[] = [];
  let model: ModelInfo | null = null;
  // Set while workers cannot load the model: jobs fail fast with it instead of waiting.
  let loadError: TaskError | null = null;
  let closed = false;
  const restartListeners = new Set<(restart: WorkerRestart) => void>();

  const resolveOnce = (pending: PendingJob, outcome: JobOutcome) => resolveJob(pending, outcome, log);

  const failQueued = (error: TaskError) => {
    for (const pending of queue.splice(0)) resolveOnce(pending, fail(error));
  };

  const settle = (slot: Slot, outcome: JobOutcome) => {
    const task = slot.task;
    if (!task) return;
    slot.task = null;
    clearTimeout(task.timeout);
    if (task.cancelTimer) clearTimeout(task.cancelTimer);
    resolveOnce(task, outcome);
  };

  /** Kills a worker whose state is unknown (timed out, deaf to cancel); its exit starts a fresh one. */
  const retire = (slot: Slot) => {
    slot.state = 'retiring';
    slot.handle?.kill('SIGKILL');
  };

  const dispatch = () => {
    for (const slot of slots) {
      if (queue.length === 0) return;
      if (slot.state !== 'ready' || slot.task || !slot.handle) continue;
      const next = queue.shift()!;
      const { taskId } = next.job;
      const timeout = setTimeout(() => {
        log('warn', 'task timed out; killing its worker', { taskId, pid: slot.handle?.pid });
        settle(slot, fail(taskError('TASK_TIMEOUT', `task ran longer than ${options.taskTimeoutMs} ms; worker pid ${slot.handle?.pid} killed`)));
        retire(slot);
      }, Math.min(options.taskTimeoutMs, MAX_TIMER_MS));
      slot.task = { ...next, timeout, cancelTimer: null, cancelRequested: false };
      const { mediaPath, params, mediaDurationSec } = next.job;
      slot.handle.send({ type: 'transcribe', taskId, mediaPath, params, mediaDurationSec: mediaDurationSec ?? null });
    }
  };

  const onMessage = (slot: Slot, message: ChildMessage) => {
    if (message.type === 'ready') {
      slot.state = 'ready';
      slot.startFailures = 0;
      model = message.model;
      loadError = null;
      slot.handle?.lowerPriority();
      log('info', 'worker ready', { slot: slot.index, pid: slot.handle?.pid, model: message.model.name });
      dispatch();
      return;
    }
    if (message.type === 'load_failed') {
      loadError = message.error.code === 'MODEL_UNAVAILABLE' ? message.error : taskError('MODEL_UNAVAILABLE', message.error.technicalDetail);
      log('error', 'worker could not load the model', { slot: slot.index, detail: message.error.technicalDetail });
      if (!slots.some((s) => s.state === 'ready')) failQueued(loadError);
      // Its exit schedules the next attempt, with back-off.
      slot.handle?.kill('SIGKILL');
      return;
    }
    const task = slot.task;
    if (!task || task.job.taskId !== message.taskId) {
      log('debug', 'ignoring message for a task this worker no longer runs', { type: message.type, taskId: message.taskId });
      return;
    }
    const outcome = routeTaskMessage(task, message, log);
    if (outcome) {
      settle(slot, outcome);
      dispatch();
    }
  };

  const describeExit = (exit: WorkerExit) => {
    const how = exit.brokenReason ?? (exit.signal ? `killed by ${exit.signal}` : `exited with code ${exit.code}`);
    return exit.outputTail ? `${how}; last output:\n${exit.outputTail}` : how;
  };

  const onExit = (slot: Slot, exit: WorkerExit) => {
    const pid = slot.handle?.pid;
    const wasStarting = slot.state === 'starting';
    slot.handle = null;
    slot.state = 'starting';
    for (const wake of slot.exitWaiters.splice(0)) wake();
    const detail = `worker pid ${pid} ${describeExit(exit)}`;
    if (slot.task) {
      // Native code that dies while labelling speakers is almost always a bad diarization model.
      const crash = slot.task.stage === 'diarizing' ? taskError('DIARIZATION_FAILED', `${detail} (while identifying speakers)`) : taskError('WORKER_CRASHED', detail);
      settle(slot, fail(closed ? taskError('CANCELLED', 'worker pool closed') : crash));
    }
    if (closed) return;
    log(wasStarting ? 'error' : 'warn', 'worker exited; replacing it', { slot: slot.index, detail });
    for (const listener of [...restartListeners]) {
      try {
        listener({ slot: slot.index, reason: wasStarting ? 'start_failed' : 'exited' });
      } catch (error) {
        log('error', 'worker restart listener failed', { err: String(error) }); // the replacement must still start
      }
    }
    if (!wasStarting) {
      spawnInto(slot);
      return;
    }
    // It never became ready: the model or library is unusable for now. Fail fast, retry with back-off.
    slot.startFailures += 1;
    loadError ??= taskError('MODEL_UNAVAILABLE', `${detail}`);
    if (!slots.some((s) => s.state === 'ready')) failQueued(loadError);
    const { initial, max } = options.restartBackoffMs;
    const delay = Math.min(max, initial * 2 ** (slot.startFailures - 1));
    slot.restartTimer = setTimeout(() => {
      slot.restartTimer = null;
      if (!closed) spawnInto(slot);
    }, delay);
  };

  const spawnInto = (slot: Slot) => {
    slot.state = 'starting';
    try {
      slot.handle = createWorkerHandle({
        entry: runnableEntry(options.entry, log),
        env,
        niceness: options.niceness,
        spawn: options.spawn,
        log,
        onMessage: (message) => onMessage(slot, message),
        onExit: (exit) => onExit(slot, exit),
      });
    } catch (error) {
      // fork itself threw (bad options, out of pids): report it like a start-up crash.
      slot.handle = null;
      onExit(slot, { code: null, signal: null, brokenReason: `fork failed: ${String(error)}`, outputTail: '' });
    }
  };

  const killAll = () => {
    for (const slot of slots) slot.handle?.kill('SIGKILL');
  };
  // Children must never outlive the parent, whatever path it exits by.
  process.on('exit', killAll);

  for (let index = 0; index < options.workers; index += 1) {
    const slot: Slot = { index, handle: null, state: 'starting', task: null, startFailures: 0, restartTimer: null, exitWaiters: [] };
    slots.push(slot);
    spawnInto(slot);
  }

  return {
    run(job) {
      return new Promise<JobOutcome>((resolve) => {
        if (closed) return resolve(fail(taskError('PROCESSING_FAILED', 'worker pool is closed')));
        if (loadError && !slots.some((s) => s.state === 'ready')) return resolve(fail(loadError));
        queue.push({ job, resolve });
        dispatch();
      });
    },
    cancel(taskId) {
      const queued = queue.findIndex((p) => p.job.taskId === taskId);
      if (queued >= 0) {
        const [pending] = queue.splice(queued, 1);
        resolveOnce(pending!, fail(taskError('CANCELLED', 'cancelled while queued')));
        return true;
      }
      const slot = slots.find((s) => s.task?.job.taskId === taskId);
      if (!slot?.task) return false;
      if (slot.task.cancelRequested) return true;
      slot.task.cancelRequested = true;
      slot.handle?.send({ type: 'cancel', taskId });
      slot.task.cancelTimer = setTimeout(() => {
        log('warn', 'worker did not stop after cancel; killing it', { taskId, pid: slot.handle?.pid });
        settle(slot, fail(taskError('CANCELLED', `worker did not stop within ${options.cancelGraceMs} ms and was killed`)));
        retire(slot);
      }, options.cancelGraceMs);
      return true;
    },
    readyCount: () => slots.filter((s) => s.state === 'ready').length,
    // Only after a load failed: workers still loading an existing model at start-up are not "unavailable".
    unavailable: () => (loadError && !slots.some((s) => s.state === 'ready') ? loadError : null),
    modelInfo: () => model,
    workerPids: () => slots.flatMap((s) => (s.handle?.pid === undefined ? [] : [s.handle.pid])),
    onWorkerRestart(listener) {
      restartListeners.add(listener);
      return () => void restartListeners.delete(listener);
    },
    async close() {
      if (closed) return;
      closed = true;
      failQueued(taskError('CANCELLED', 'worker pool closed'));
      const exits = slots.map((slot) => {
        if (slot.restartTimer) clearTimeout(slot.restartTimer);
        return slot.handle ? new Promise<void>((resolve) => slot.exitWaiters.push(resolve)) : Promise.resolve();
      });
      for (const slot of slots) slot.handle?.send({ type: 'shutdown' });
      const grace = setTimeout(killAll, options.shutdownGraceMs);
      await Promise.all(exits);
      clearTimeout(grace);
      process.off('exit', killAll);
    },
  };
}
