import { readFileSync, writeSync } from 'node:fs';
import { armParentDeathSignal } from '../native/parent-death.ts';

/**
 * Writes why to stderr's file descriptor (synchronously, so it is in the parent's crash report) and
 * SIGKILLs this process. A worker uses it for every way out while native code may run: Node's own
 * exit path joins libuv's thread pool, and a pool thread inside whisper_full can be parked waiting
 * for the JS thread to run a callback, so a plain exit would hang for ever.
 */
export function killSelf(why: string): void {
  try {
    writeSync(2, `worker: ${why}; killing itself\n`);
  } catch {
    // stderr is gone with the parent: nobody would read it anyway
  }
  process.kill(process.pid, 'SIGKILL');
}

/** What guardWorkerProcess needs to know about the worker. */
export interface LifetimeOptions {
  /** The pid that forked this worker (the pool passes WORKER_PARENT_PID; process.ppid otherwise). */
  parentPid: number;
  /** True while a native call may be running on a pool thread (a clean exit would then hang). */
  nativeBusy(): boolean;
  warn(text: string): void;
}

/**
 * Makes sure a worker never outlives its parent and never hangs on its way out: the kernel SIGKILLs
 * it when the parent dies (PR_SET_PDEATHSIG), and a dead stdout/stderr, a lost IPC channel, an
 * uncaught exception, an unhandled rejection or an exit while native code runs all end in killSelf.
 */
export function guardWorkerProcess(options: LifetimeOptions): void {
  // Our stdout/stderr are pipes to the parent: an error on them means it is gone. Without a listener
  // the error would be an uncaught exception thrown from inside whatever was writing.
  for (const [name, stream] of [['stdout', process.stdout], ['stderr', process.stderr]] as const) {
    stream.on('error', (err: NodeJS.ErrnoException) => killSelf(`${name} failed (${err.code ?? err.message}): the parent is gone`));
  }
  process.on('uncaughtException', (err) => killSelf(`uncaught exception: ${err.stack ?? String(err)}`));
  process.on('unhandledRejection', (reason) => killSelf(`unhandled rejection: ${reason instanceof Error ? (reason.stack ?? reason.message) : String(reason)}`));
  process.on('disconnect', () => killSelf('the IPC channel to the parent closed'));
  process.on('exit', (code) => {
    if (options.nativeBusy()) killSelf(`exit (code ${code}) while a native call runs`);
  });

  const armed = armParentDeathSignal(options.parentPid);
  if (armed.state === 'parent_gone') return killSelf(`the parent (pid ${options.parentPid}) died before the worker started; now pid ${armed.parent}`);
  if (armed.state === 'armed') return;
  options.warn(`worker: no parent-death signal (${armed.detail}); polling for re-parenting instead`);
  // Node caches process.ppid, so read the live parent from /proc: being re-parented means the parent died.
  setInterval(() => {
    try {
      const live = Number(/^\d+ \(.*\) \S (\d+)/.exec(readFileSync('/proc/self/stat', 'utf8'))?.[1]);
      if (live && live !== options.parentPid) killSelf(`re-parented to pid ${live}: the parent is gone`);
    } catch {
      // not Linux: the disconnect event is all there is
    }
  }, 1000).unref();
}
