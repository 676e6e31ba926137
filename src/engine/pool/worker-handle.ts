import { fork, type ChildProcess, type ForkOptions } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import { pathToFileURL } from 'node:url';
import { ChildMessageSchema, parseMessage, type ChildMessage, type ParentMessage } from '../protocol.ts';
import { createLineRing } from './worker-pool-stderr.ts';
import type { Logger } from '../../logger.ts';

/** Starts a child process; the pool's default forks, tests may wrap or replace it. */
export type SpawnWorker = (entry: string, options: ForkOptions) => ChildProcess;


/** How a child process ended, with what it said last on stderr/stdout. */
export interface WorkerExit {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** Why the parent killed it, when it did (invalid message, failed send). */
  brokenReason: string | null;
  outputTail: string;
}

/** One forked worker process: validated messages in, typed messages out, exactly one exit report. */
export interface WorkerHandle {
  readonly pid: number | undefined;
  send(message: ParentMessage): void;
  kill(signal?: NodeJS.Signals): void;
  /** Lowers the CPU priority of every thread the child has now (threads created later inherit it). */
  lowerPriority(): void;
  outputTail(lines?: number): string;
}

export interface WorkerHandleOptions {
  entry: string;
  env: NodeJS.ProcessEnv;
  niceness: number;
  spawn?: SpawnWorker;
  log: Logger;
  onMessage(message: ChildMessage): void;
  onExit(exit: WorkerExit): void;
}

// Only a TypeScript entry needs tsx (the compiled build in dist/ forks plain JavaScript, and the Docker image
// has no tsx); an absolute URL, so the child finds it whatever its working directory is.
const loaderArgv = (entry: string) =>
  entry.endsWith('.ts') ? ['--import', pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href] : [];

/** The default spawn: fork with tsx loaded, stdout/stderr piped for crash reports, IPC for messages. */
export const forkWorker: SpawnWorker = (entry, options) => fork(entry, [], options);

/** Forks one worker and wires its events; never throws after a successful fork. */
export function createWorkerHandle(options: WorkerHandleOptions): WorkerHandle {
  const { log } = options;
  const output = createLineRing();
  const child = (options.spawn ?? forkWorker)(options.entry, {
    execArgv: loaderArgv(options.entry),
    env: options.env,
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    // Its own process group: a terminal's Ctrl-C reaches only the parent, which then shuts workers down in
    // order (cancel, shutdown) instead of losing running tasks to the same signal. A lost parent is still
    // noticed: the worker exits when its IPC channel disconnects, and the pool kills workers on 'exit'.
    detached: true,
  });
  const pid = child.pid;
  let brokenReason: string | null = null;
  let reported = false;

  const setNice = (id: number) => {
    try {
      // Never raise priority (that needs privileges): only move towards "nicer".
      os.setPriority(id, Math.max(options.niceness, os.getPriority(id)));
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      // ESRCH: a thread ended between listing and renicing; nothing to do.
      if (code !== 'ESRCH') log.warn({ workerPid: pid, id, code }, 'could not lower worker CPU priority');
    }
  };
  if (pid !== undefined) setNice(pid);

  const broken = (reason: string) => {
    if (brokenReason !== null) return;
    brokenReason = reason;
    log.error({ workerPid: pid, reason }, 'worker is broken; killing it');
    child.kill('SIGKILL');
  };

  const report = (code: number | null, signal: NodeJS.Signals | null) => {
    if (reported) return;
    reported = true;
    options.onExit({ code, signal, brokenReason, outputTail: output.tail(12) });
  };

  for (const stream of [child.stdout, child.stderr]) {
    stream?.setEncoding('utf8');
    stream?.on('data', (chunk: string) => output.push(chunk));
    stream?.on('error', (error) => log.warn({ workerPid: pid, error: error.message }, 'worker output stream error'));
  }
  child.on('message', (raw: unknown) => {
    if (brokenReason !== null) return;
    const parsed = parseMessage(ChildMessageSchema, raw);
    if (!parsed.ok) {
      broken(`invalid message from worker (${parsed.detail}): ${JSON.stringify(raw)?.slice(0, 200)}`);
      return;
    }
    options.onMessage(parsed.message);
  });
  child.on('error', (error) => {
    log.error({ workerPid: pid, error: error.message }, 'worker process error');
    // A fork that never started emits 'error' and maybe no 'exit'; a live child gets killed.
    if (child.pid === undefined) report(null, null);
    else broken(`process error: ${error.message}`);
  });
  child.on('exit', (code, signal) => {
    // Give the pipes a moment to deliver the last lines (a grandchild may hold them open, so don't wait for 'close').
    const timer = setTimeout(() => report(code, signal), 100);
    child.once('close', () => {
      clearTimeout(timer);
      report(code, signal);
    });
  });

  return {
    pid,
    send(message) {
      if (!child.connected) {
        broken(`cannot send '${message.type}': IPC channel closed`);
        return;
      }
      child.send(message, (error) => {
        if (error) broken(`sending '${message.type}' failed: ${error.message}`);
      });
    },
    kill(signal = 'SIGKILL') {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
    },
    lowerPriority() {
      if (pid === undefined) return;
      let threads: string[];
      try {
        threads = readdirSync(`/proc/${pid}/task`);
      } catch (error) {
        // Not Linux (no per-thread nice there) or already gone: the fork-time call is all we can do.
        log.debug({ workerPid: pid, code: (error as NodeJS.ErrnoException).code }, 'cannot list worker threads');
        return;
      }
      for (const tid of threads) setNice(Number(tid));
    },
    outputTail: (lines) => output.tail(lines),
  };
}
