// buildah and /proc helpers for docker-verify.ts: images are built and run without a Docker engine.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';

const STORAGE = ['--storage-driver', process.env.STORAGE_DRIVER || 'vfs'];

/** Runs buildah to completion; throws with its stderr when it fails. */
export function buildah(args: string[], opts: { logFile?: string; timeoutMs?: number } = {}): string {
  const r = spawnSync('buildah', [...STORAGE, ...args], { encoding: 'utf8', maxBuffer: 256 << 20, timeout: opts.timeoutMs });
  if (r.status !== 0) {
    const why = r.error ? String(r.error) : `exit ${r.status ?? r.signal}`;
    throw new Error(`buildah ${args.slice(0, 3).join(' ')} failed (${why}):\n${(r.stderr || '').slice(-4000)}`);
  }
  return r.stdout.trim();
}

/** Starts a long buildah command (bud, run) with its output streamed into `onLine`. */
export function buildahSpawn(args: string[], onLine: (line: string) => void): ChildProcess {
  const child = spawn('buildah', [...STORAGE, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let partial = '';
  const take = (chunk: Buffer) => {
    const lines = (partial + chunk.toString('utf8')).split('\n');
    partial = lines.pop() ?? '';
    for (const line of lines) onLine(line);
  };
  child.stdout!.on('data', take);
  child.stderr!.on('data', take);
  child.once('close', () => partial && onLine(partial));
  return child;
}

/** Resolves with the exit code (null after a signal) once the child has exited, or rejects after `ms`. */
export function exited(child: ChildProcess, ms: number): Promise<number | null> {
  return new Promise((resolve, reject) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve(child.exitCode);
    const timer = setTimeout(() => reject(new Error(`buildah did not exit within ${ms / 1000} s`)), ms);
    child.once('exit', (code) => { clearTimeout(timer); resolve(code); });
  });
}

/** A process as /proc shows it. */
export interface ProcInfo {
  pid: number;
  ppid: number;
  uid: number;
  argv: string[];
  root: string;
}

function readProc(pid: number): ProcInfo | null {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const ppid = Number(/^PPid:\s+(\d+)/m.exec(status)?.[1]);
    const uid = Number(/^Uid:\s+(\d+)/m.exec(status)?.[1]); // the real uid
    const argv = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean);
    let root = '';
    try { root = readlinkSync(`/proc/${pid}/root`); } catch { /* a process of another user namespace */ }
    return { pid, ppid, uid, argv, root };
  } catch {
    return null; // gone meanwhile
  }
}

/** Every live descendant of `pid` (buildah run's container processes are ordinary host processes). */
export function descendants(pid: number): ProcInfo[] {
  const all = readdirSync('/proc').filter((d) => /^\d+$/.test(d)).map((d) => readProc(Number(d))).filter((p): p is ProcInfo => p !== null);
  const found: ProcInfo[] = [];
  const parents = new Set([pid]);
  for (let grew = true; grew;) {
    grew = false;
    for (const p of all) {
      if (!parents.has(p.ppid) || parents.has(p.pid)) continue;
      parents.add(p.pid);
      found.push(p);
      grew = true;
    }
  }
  return found;
}

const UNITS: Record<string, number> = { B: 1, kB: 1e3, KB: 1e3, MB: 1e6, GB: 1e9 };

/** The image's size in bytes, as buildah reports it (uncompressed layers; buildah 1.28 prints "242 MB"). */
export function imageSize(image: string): number {
  const list = JSON.parse(buildah(['images', '--json', image])) as Array<{ size?: number | string }>;
  const size = list[0]?.size;
  if (typeof size === 'number') return size;
  const match = /^([\d.]+)\s*(B|kB|KB|MB|GB)$/.exec(size ?? '');
  if (!match) throw new Error(`buildah reported no size for ${image} (${String(size)})`);
  return Number(match[1]) * UNITS[match[2]!]!;
}
