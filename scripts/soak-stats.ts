// Small helpers shared by the soak and chaos scripts: process memory, worker pids, a trend line.
import { readFileSync } from 'node:fs';

/** Resident memory of a process in bytes (Linux /proc), or null once it is gone. */
export function processRss(pid: number): number | null {
  try {
    const match = /^VmRSS:\s+(\d+)\s+kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) * 1024 : null;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null; // exited meanwhile
    throw error;
  }
}

/** Whether a process exists (and is not a zombie waiting to be reaped). */
export function isAlive(pid: number): boolean {
  try {
    return !/^State:\s+Z/m.test(readFileSync(`/proc/${pid}/status`, 'utf8'));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw error;
  }
}

/** Pids of every worker a server process reported ready (its `worker ready` log lines), alive or not. */
export function workerPidsFromLogs(logs: Array<Record<string, unknown>>): number[] {
  return [...new Set(logs.filter((l) => l.msg === 'worker ready' && typeof l.workerPid === 'number').map((l) => l.workerPid as number))]
    .filter(isAlive);
}

/** Least-squares slope of y over x; NaN with fewer than two points. */
export function linearSlope(points: Array<{ x: number; y: number }>): number {
  if (points.length < 2) return Number.NaN;
  const n = points.length;
  const mx = points.reduce((a, p) => a + p.x, 0) / n;
  const my = points.reduce((a, p) => a + p.y, 0) / n;
  const sxx = points.reduce((a, p) => a + (p.x - mx) ** 2, 0);
  const sxy = points.reduce((a, p) => a + (p.x - mx) * (p.y - my), 0);
  return sxx === 0 ? Number.NaN : sxy / sxx;
}
