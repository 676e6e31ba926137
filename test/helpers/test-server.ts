import { spawn, type ChildProcess } from 'node:child_process';
import { ROOT, requireFile, TINY_EN_RANDOM } from './paths.ts';
import { testEnv } from './start-service.ts';

// In-process servers start through start-service.ts; these names stay for test/webhooks until it moves there.
export { startService as startTestServer, tempDataDir, type TestService as TestServer } from './start-service.ts';

/** A server running as its own process (`node --import tsx src/main.ts`). */
export interface ServerProcess {
  url: string;
  child: ChildProcess;
  pid: number;
  /** Every log line it printed so far (JSON parsed where possible). */
  logs: Array<Record<string, unknown>>;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Sends a signal to the server process only (its workers must notice on their own). */
  kill(signal: NodeJS.Signals): void;
  /** SIGTERM, then SIGKILL to the whole process group if it has not exited within timeoutMs. */
  stop(timeoutMs?: number): Promise<void>;
}

/** Spawns the server with testEnv() plus `env`; resolves once it logs its URL. */
export async function spawnServerProcess(dataDir: string, env: Record<string, string> = {}, startTimeoutMs = 60_000): Promise<ServerProcess> {
  requireFile(TINY_EN_RANDOM);
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    cwd: ROOT,
    env: { ...process.env, ...testEnv(dataDir, { LOG_LEVEL: 'info', ...env }) },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true, // its own process group, so cleanup can reach orphaned workers too
  });
  const logs: Array<Record<string, unknown>> = [];
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })));
  let pending = '';
  const onData = (chunk: Buffer) => {
    const lines = (pending + chunk.toString('utf8')).split('\n');
    pending = lines.pop() ?? '';
    for (const line of lines.filter(Boolean)) {
      try {
        logs.push(JSON.parse(line) as Record<string, unknown>);
      } catch {
        logs.push({ raw: line }); // not JSON (a stack trace, a warning): kept verbatim
      }
    }
  };
  child.stdout!.on('data', onData);
  child.stderr!.on('data', onData);
  const pid = child.pid!;
  const killGroup = () => {
    try {
      process.kill(-pid, 'SIGKILL');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ESRCH') throw error; // already gone is fine
    }
  };

  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => fail(`no URL logged within ${startTimeoutMs} ms`), startTimeoutMs);
    const poll = setInterval(() => {
      const line = logs.find((l) => typeof l.url === 'string');
      if (line) done(() => resolve(line.url as string));
    }, 20);
    const fail = (why: string) => done(() => {
      killGroup();
      reject(new Error(`server process ${why}; output:\n${logs.map((l) => JSON.stringify(l)).join('\n')}`));
    });
    void exited.then(({ code, signal }) => fail(`exited (${code ?? signal}) before listening`));
    let settled = false;
    function done(then: () => void) {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      clearInterval(poll);
      then();
    }
  });

  return {
    url, child, pid, logs, exited,
    kill: (signal) => void child.kill(signal),
    async stop(timeoutMs = 10_000) {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      const timer = setTimeout(killGroup, timeoutMs);
      await exited;
      clearTimeout(timer);
      killGroup(); // workers left behind by a crash test
    },
  };
}
