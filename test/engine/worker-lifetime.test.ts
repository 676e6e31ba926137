import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { armParentDeathSignal } from '../../src/engine/native/parent-death.ts';
import { ROOT } from '../helpers/paths.ts';

const CHILD = path.join(ROOT, 'test/engine/lifetime-child.ts');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Alive and not a zombie (a container's PID 1 may never reap an orphan). */
const alive = (pid: number) => {
  try {
    return readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]![0] !== 'Z';
  } catch {
    return false;
  }
};

/** Spawns `command` with stderr collected; resolves once stderr contains `marker`. */
async function spawnUntil(command: string[], marker: string, env: Record<string, string> = {}) {
  const child = spawn(process.execPath, command, { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const end = Date.now() + 60_000;
  while (!stderr.includes(marker)) {
    if (child.exitCode !== null || child.signalCode !== null) throw new Error(`exited before "${marker}":\n${stderr}`);
    if (Date.now() > end) throw new Error(`no "${marker}" within 60 s:\n${stderr}`);
    await sleep(20);
  }
  return { child, stderr: () => stderr };
}

describe('worker lifetime guard', () => {
  const started: ChildProcess[] = [];
  const leftovers: number[] = [];
  afterEach(() => {
    for (const child of started.splice(0)) child.kill('SIGKILL');
    for (const pid of leftovers.splice(0)) if (alive(pid)) process.kill(pid, 'SIGKILL');
  });

  const runChild = async (mode: string) => {
    const run = await spawnUntil(['--import', 'tsx', CHILD, mode], 'child: native call running');
    started.push(run.child);
    // Without the guard each of these hangs in Node's exit path, which waits for the busy pool thread.
    const [code, signal] = (await Promise.race([once(run.child, 'exit'), sleep(20_000).then(() => ['hung', 'hung'])])) as [unknown, unknown];
    return { code, signal, stderr: run.stderr() };
  };

  it('SIGKILLs itself on an uncaught exception while a native call runs, after writing why', async () => {
    const { signal, stderr } = await runChild('uncaught');
    expect(signal).toBe('SIGKILL');
    expect(stderr).toMatch(/uncaught exception: Error: boom from a timer/);
  }, 90_000);

  it('turns process.exit() during a native call into a SIGKILL', async () => {
    const { signal, stderr } = await runChild('exit');
    expect(signal).toBe('SIGKILL');
    expect(stderr).toMatch(/exit \(code 3\) while a native call runs/);
  }, 90_000);

  it('SIGKILLs itself when its stdout pipe breaks', async () => {
    const run = await spawnUntil(['--import', 'tsx', CHILD, 'stdout'], 'child: native call running');
    started.push(run.child);
    run.child.stdout!.destroy();
    const [, signal] = (await Promise.race([once(run.child, 'exit'), sleep(20_000).then(() => ['hung', 'hung'])])) as [unknown, unknown];
    expect(signal).toBe('SIGKILL');
    expect(run.stderr()).toMatch(/stdout failed \(EPIPE\)/);
  }, 90_000);

  it('is killed by the kernel when its parent dies, even with its JS thread blocked for ever', async () => {
    // parent (a plain node process) -> child, whose JS thread then never runs again.
    const parentScript = `const c = require('node:child_process').spawn(process.execPath, ['--import', 'tsx', ${JSON.stringify(CHILD)}, 'blocked'], { stdio: ['ignore', 'ignore', 'inherit'] });
      process.stderr.write('parent: child pid ' + c.pid + '\\n'); setInterval(() => {}, 1000);`;
    const parent = await spawnUntil(['-e', parentScript], 'child: blocking');
    started.push(parent.child);
    const childPid = Number(/child pid (\d+)/.exec(parent.stderr())![1]);
    leftovers.push(childPid);
    expect(alive(childPid)).toBe(true);
    parent.child.kill('SIGKILL');
    const end = Date.now() + 5000;
    while (alive(childPid) && Date.now() < end) await sleep(50);
    expect(alive(childPid)).toBe(false);
  }, 90_000);

  it('reports a parent that died before the signal was armed', () => {
    expect(armParentDeathSignal(process.ppid)).toEqual({ state: 'armed' });
    expect(armParentDeathSignal(process.ppid + 1_000_000)).toEqual({ state: 'parent_gone', parent: process.ppid });
  });
});
