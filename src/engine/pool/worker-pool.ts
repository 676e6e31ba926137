import { taskError } from '../../tasks/errors.ts';
import type { TaskError } from '../../contract/task-error.ts';
import type { JobOutcome, Transcriber } from '../../tasks/types.ts';
import type { ChildMessage } from '../protocol.ts';
import { createWorkerHandle, type WorkerExit, type WorkerHandle } from './worker-handle.ts';
import { resolvePoolOptions, runnableEntry, workerEnv, type WorkerPoolOptions } from './worker-pool-options.ts';
import { failed as fail, resolveJob, routeTaskMessage, type WorkerJob } from './worker-pool-task.ts';

// setTimeout fires at once for delays past 2^31-1 ms (about 24.8 days); longer limits mean "that long".
const MAX_TIMER_MS = 2 ** 31 - 1;

type ModelInfo = NonNullable<ReturnType<Transcriber['modelInfo']>>;

/** One place in the pool; its process is replaced when it dies, the slot stays. */
interface Slot {
  index: number;
  handle: WorkerHandle | null;
  /** starting: loading the model; ready: can take a task; retiring: killed, waiting for its exit. */
  state: 'starting' | 'ready' | 'retiring';
  /** At most one job per slot: the pool has no queue (the scheduler orders tasks). */
  task: WorkerJob | null;
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

/**
 * Starts `workers` child processes that each load the model once and run one job at a time.
 *
 * The pool runs, it does not order: each slot holds at most one job, so `run()` accepts a job only
 * while some worker has none. A job handed to a worker that is still loading (at start-up, after a
 * crash, for a model the router just started) waits for that load, which is why this is a hand-off
 * and not a refusal: the scheduler counts ready workers before the runner's row writes, and a worker
 * may die in between. A job beyond the number of workers is a caller's bug and is rejected.
 *
 * Cancel has one timer, here: a running job gets cancelGraceMs to answer; then its worker is
 * SIGKILLed and replaced and the job ends CANCELLED. Callers wait for the job's outcome, not a clock.
 */
export function createWorkerPool(input: WorkerPoolOptions): WorkerPool {
  const options = resolvePoolOptions(input);
  const { log } = options;
  const env = workerEnv(options);
  const slots: Slot[] = [];
  let model: ModelInfo | null = null;
  // Set while workers cannot load the model: jobs fail fast with it instead of waiting.
  let loadError: TaskError | null = null;
  let closed = false;
  const restartListeners = new Set<(restart: WorkerRestart) => void>();

  const anyReady = () => slots.some((s) => s.state === 'ready');
  const isFree = (s: Slot) => s.state === 'ready' && s.handle !== null && s.task === null;

  const settle = (slot: Slot, outcome: JobOutcome) => {
    const task = slot.task;
    if (!task) return;
    slot.task = null;
    if (task.timeout) clearTimeout(task.timeout);
    if (task.cancelTimer) clearTimeout(task.cancelTimer);
    resolveJob(task, outcome, log);
  };

  /** Ends the jobs still waiting for a worker to load (the model cannot load, or the pool closes). */
  const failWaiting = (error: TaskError) => {
    for (const slot of slots) if (slot.task && !slot.task.sent) settle(slot, fail(error));
  };

  /** Kills a worker whose state is unknown (timed out, deaf to cancel); its exit starts a fresh one. */
  const retire = (slot: Slot) => {
    slot.state = 'retiring';
    slot.handle?.kill('SIGKILL');
  };

  /** Sends a slot's job to its (ready) worker; the task timeout runs from now. */
  const send = (slot: Slot, task: WorkerJob, handle: WorkerHandle) => {
    const { taskId, mediaPath, params, mediaDurationSec } = task.job;
    task.sent = true;
    task.timeout = setTimeout(() => {
      log.warn({ taskId, workerPid: slot.handle?.pid }, 'task timed out; killing its worker');
      settle(slot, fail(taskError('TASK_TIMEOUT', `task ran longer than ${options.taskTimeoutMs} ms; worker pid ${slot.handle?.pid} killed`)));
      retire(slot);
    }, Math.min(options.taskTimeoutMs, MAX_TIMER_MS));
    handle.send({ type: 'transcribe', taskId, mediaPath, params, mediaDurationSec: mediaDurationSec ?? null });
  };

  /** Sends each job waiting for a worker once one is ready: its own slot's, or another free one. */
  const place = () => {
    for (const slot of slots) {
      const task = slot.task;
      if (!task || task.sent) continue;
      const target = slot.state === 'ready' && slot.handle ? slot : slots.find(isFree);
      if (!target?.handle) continue;
      slot.task = null;
      target.task = task;
      send(target, task, target.handle);
    }
  };

  const onMessage = (slot: Slot, message: ChildMessage) => {
    if (message.type === 'ready') {
      slot.state = 'ready';
      slot.startFailures = 0;
      model = message.model;
      loadError = null;
      slot.handle?.lowerPriority();
      log.info({ slot: slot.index, workerPid: slot.handle?.pid, model: message.model.name }, 'worker ready');
      place();
      return;
    }
    if (message.type === 'load_failed') {
      loadError = message.error.code === 'MODEL_UNAVAILABLE' ? message.error : taskError('MODEL_UNAVAILABLE', message.error.technicalDetail);
      log.error({ slot: slot.index, detail: message.error.technicalDetail }, 'worker could not load the model');
      if (!anyReady()) failWaiting(loadError);
      // Its exit schedules the next attempt, with back-off.
      slot.handle?.kill('SIGKILL');
      return;
    }
    const task = slot.task;
    if (!task?.sent || task.job.taskId !== message.taskId) {
      log.debug({ type: message.type, taskId: message.taskId }, 'ignoring message for a task this worker no longer runs');
      return;
    }
    const outcome = routeTaskMessage(task, message, log);
    if (outcome) {
      settle(slot, outcome);
      place(); // this worker is free: a job waiting for a loading one may take it
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
    // A job not sent yet never ran here: it stays with the slot and goes to the replacement.
    if (slot.task?.sent) {
      // Native code that dies while labelling speakers is almost always a bad diarization model.
      const crash = slot.task.stage === 'diarizing' ? taskError('DIARIZATION_FAILED', `${detail} (while identifying speakers)`) : taskError('WORKER_CRASHED', detail);
      settle(slot, fail(closed ? taskError('CANCELLED', 'worker pool closed') : crash));
    }
    if (closed) return;
    log[wasStarting ? 'error' : 'warn']({ slot: slot.index, detail }, 'worker exited; replacing it');
    for (const listener of [...restartListeners]) {
      try {
        listener({ slot: slot.index, reason: wasStarting ? 'start_failed' : 'exited' });
      } catch (error) {
        log.error({ err: String(error) }, 'worker restart listener failed'); // the replacement must still start
      }
    }
    if (!wasStarting) {
      spawnInto(slot);
      return;
    }
    // It never became ready: the model or library is unusable for now. Fail fast, retry with back-off.
    slot.startFailures += 1;
    loadError ??= taskError('MODEL_UNAVAILABLE', `${detail}`);
    if (!anyReady()) failWaiting(loadError);
    place(); // a job that waited for this worker may go to another that is free
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
      if (closed) return Promise.resolve(fail(taskError('PROCESSING_FAILED', 'worker pool is closed')));
      if (loadError && !anyReady()) return Promise.resolve(fail(loadError));
      const slot = slots.find(isFree) ?? slots.find((s) => s.task === null);
      if (!slot) {
        return Promise.reject(new Error(`worker pool: task ${job.taskId} was handed over while all ${slots.length} workers have a job; `
          + 'the pool keeps no queue, so callers hand over at most one job per worker (the scheduler counts readyCount())'));
      }
      return new Promise<JobOutcome>((resolve) => {
        slot.task = { job, resolve, sent: false, timeout: null, cancelTimer: null, cancelRequested: false };
        place();
      });
    },
    cancel(taskId) {
      const slot = slots.find((s) => s.task?.job.taskId === taskId);
      const task = slot?.task;
      if (!slot || !task) return false;
      if (!task.sent) {
        settle(slot, fail(taskError('CANCELLED', 'cancelled while its worker was loading the model')));
        return true;
      }
      if (task.cancelRequested) return true;
      task.cancelRequested = true;
      slot.handle?.send({ type: 'cancel', taskId });
      // The worker answers a cancel from its JS thread at once (native work runs off it, see worker-session.ts):
      // one that stays silent this long is stuck, and only a kill frees its slot.
      task.cancelTimer = setTimeout(() => {
        log.warn({ taskId, workerPid: slot.handle?.pid }, 'worker did not stop after cancel; killing it');
        settle(slot, fail(taskError('CANCELLED', `worker did not stop within ${options.cancelGraceMs} ms and was killed`)));
        retire(slot);
      }, options.cancelGraceMs);
      return true;
    },
    readyCount: () => slots.filter((s) => s.state === 'ready').length,
    // Only after a load failed: workers still loading an existing model at start-up are not "unavailable".
    unavailable: () => (loadError && !anyReady() ? loadError : null),
    modelInfo: () => model,
    workerPids: () => slots.flatMap((s) => (s.handle?.pid === undefined ? [] : [s.handle.pid])),
    onWorkerRestart(listener) {
      restartListeners.add(listener);
      return () => void restartListeners.delete(listener);
    },
    async close() {
      if (closed) return;
      closed = true;
      failWaiting(taskError('CANCELLED', 'worker pool closed'));
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
