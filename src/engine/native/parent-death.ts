import koffi from 'koffi';

// <sys/prctl.h> and <signal.h> on Linux.
const PR_SET_PDEATHSIG = 1;
const SIGKILL = 9;
const LIBC_NAMES = ['libc.so.6', 'libc.so', 'libc.musl-x86_64.so.1', 'libc.musl-aarch64.so.1'];

/** What arming the parent-death signal found. */
export type ParentDeathState =
  | { state: 'armed' }
  /** The parent died before the signal was armed: the caller must end itself now. */
  | { state: 'parent_gone'; parent: number }
  | { state: 'unsupported'; detail: string };

/**
 * Asks the kernel to SIGKILL this process when its parent dies (prctl PR_SET_PDEATHSIG). The kernel
 * does it whatever the JS thread is doing, even parked in an exit path that waits on a native thread,
 * which no JS handler can. `expectedParent` is the pid that forked us: a parent that died before the
 * call is caught by comparing it with the live getppid() afterwards.
 */
export function armParentDeathSignal(expectedParent: number): ParentDeathState {
  if (process.platform !== 'linux') return { state: 'unsupported', detail: `no PR_SET_PDEATHSIG on ${process.platform}` };
  let libc: ReturnType<typeof koffi.load> | null = null;
  const reasons: string[] = [];
  for (const name of LIBC_NAMES) {
    try {
      libc = koffi.load(name);
      break;
    } catch (err) {
      reasons.push(`${name}: ${err instanceof Error ? err.message.split('\n')[0] : String(err)}`);
    }
  }
  if (!libc) return { state: 'unsupported', detail: `cannot load libc (${reasons.join('; ')})` };
  const prctl = libc.func('int prctl(int option, ...)');
  const getppid = libc.func('int getppid()');
  if (prctl(PR_SET_PDEATHSIG, 'unsigned long', SIGKILL) !== 0) return { state: 'unsupported', detail: 'prctl(PR_SET_PDEATHSIG) failed' };
  // Read after arming: a parent that dies from here on triggers the signal; one already dead shows
  // as a different parent (we were re-parented to init or a subreaper).
  const parent = getppid() as number;
  return parent === expectedParent ? { state: 'armed' } : { state: 'parent_gone', parent };
}
