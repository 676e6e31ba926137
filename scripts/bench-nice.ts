// `npm run bench:nice -- [--seconds 22] [--reps 2] [--nice 0,10] [--threads 2] [--burners 0]`
// What the workers' nice level costs and buys. For each nice level, in interleaved rounds, a fresh server
// (one worker, `--threads` threads) transcribes the same audio (POST /tasks) while this script polls
// GET /tasks/:id every 100 ms. Prints per level the median task time (submit → completed) and the poll
// latency (median, p99, max), with ratios against the first level. `--burners N` runs N busy loops at
// nice 0 meanwhile, standing in for other work on the box. A benchmark, not a test.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { ROOT, TINY_EN_RANDOM } from '../test/helpers/paths.ts';
import { makeBenchAudio, median } from './bench-audio.ts';

const { values } = parseArgs({
  options: {
    seconds: { type: 'string', default: '22' },
    reps: { type: 'string', default: '2' },
    nice: { type: 'string', default: '0,10' },
    threads: { type: 'string', default: '2' },
    burners: { type: 'string', default: '0' },
    model: { type: 'string', default: TINY_EN_RANDOM },
  },
});
const levels = values.nice.split(',').map(Number);
const reps = Number(values.reps);
if (levels.some((n) => !Number.isInteger(n) || n < 0 || n > 19) || !(reps >= 1)) throw new Error('--nice takes 0..19 values, --reps ≥ 1');

// The server as main.ts starts it, with the pool's nice level set (it has no environment variable).
const RUNNER = `const { loadConfig } = await import(${JSON.stringify(path.join(ROOT, 'src/config.ts'))});
const { startServer } = await import(${JSON.stringify(path.join(ROOT, 'src/server.ts'))});
const server = await startServer(loadConfig(), { pool: { niceness: Number(process.env.BENCH_NICE) } });
process.stdout.write('BENCH_URL ' + server.url + '\\n');
process.on('SIGTERM', () => server.close().then(() => process.exit(0)));`;

async function startServer(nice: number): Promise<{ url: string; stop(): Promise<void> }> {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'bench-nice-'));
  const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', RUNNER], {
    cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'],
    env: { ...process.env, BENCH_NICE: String(nice), PORT: '0', HOST: '127.0.0.1', DATA_DIR: dataDir, WHISPER_MODEL: path.resolve(values.model!),
      WORKERS: '1', WHISPER_THREADS: values.threads, LOG_LEVEL: 'warn', RATE_LIMIT_PER_MINUTE: '0' },
  });
  const exited = new Promise((resolve) => child.once('exit', resolve));
  try {
    // Log lines (JSON) come on stdout too; the runner marks its one line.
    const url = await new Promise<string>((resolve, reject) => {
      let seen = '';
      child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
        seen += chunk;
        const found = /BENCH_URL (\S+)/.exec(seen);
        if (found) resolve(found[1]!);
      });
      child.once('exit', (code) => reject(new Error(`server exited with ${code}`)));
    });
    for (let i = 0; (await fetch(`${url}/health/ready`).then((r) => r.status, () => 0)) !== 200; i++) {
      if (i > 600) throw new Error('server not ready after 60 s');
      await new Promise((r) => setTimeout(r, 100));
    }
    return { url, stop: async () => { child.kill('SIGTERM'); await exited; rmSync(dataDir, { recursive: true, force: true }); } };
  } catch (error) {
    child.kill('SIGKILL');
    throw error;
  }
}

/** Submits the audio, polls until it completes; the task's time and every poll's latency in ms. */
async function runTask(url: string, file: string): Promise<{ ms: number; polls: number[] }> {
  const form = new FormData();
  form.append('file', new Blob([readFileSync(file)], { type: 'audio/wav' }), path.basename(file));
  form.append('language', 'en');
  const started = performance.now();
  const created = await fetch(`${url}/tasks`, { method: 'POST', body: form });
  if (created.status !== 202) throw new Error(`POST /tasks answered ${created.status}: ${await created.text()}`);
  const { identifier } = (await created.json()) as { identifier: string };
  const polls: number[] = [];
  for (;;) {
    const sent = performance.now();
    const task = (await (await fetch(`${url}/tasks/${identifier}`)).json()) as { status: string };
    polls.push(performance.now() - sent);
    if (task.status === 'completed') return { ms: performance.now() - started, polls };
    if (task.status === 'failed' || task.status === 'cancelled') throw new Error(`task ${task.status}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

const quantile = (xs: number[], q: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(q * xs.length))]!;
const burners: ChildProcess[] = Array.from({ length: Number(values.burners) }, () =>
  spawn(process.execPath, ['-e', 'for (;;) {}'], { stdio: 'ignore' }));
const audio = makeBenchAudio(Number(values.seconds));
const results = new Map(levels.map((n) => [n, { ms: [] as number[], polls: [] as number[] }]));
console.log(`bench:nice: ${audio.seconds.toFixed(1)} s of audio, ${values.threads} threads, ${os.cpus().length} CPUs, ` +
  `${burners.length} burners, load average ${os.loadavg()[0]!.toFixed(1)}`);
try {
  for (let rep = 0; rep < reps; rep++) {
    for (const nice of rep % 2 === 0 ? levels : [...levels].reverse()) {
      const server = await startServer(nice);
      try {
        const run = await runTask(server.url, audio.file);
        results.get(nice)!.ms.push(run.ms);
        results.get(nice)!.polls.push(...run.polls);
        console.log(`  rep ${rep + 1} nice ${nice}: ${(run.ms / 1000).toFixed(2)} s, polls p50 ${quantile(run.polls, 0.5).toFixed(1)} ms, ` +
          `max ${Math.max(...run.polls).toFixed(1)} ms (load ${os.loadavg()[0]!.toFixed(1)})`);
      } finally {
        await server.stop();
      }
    }
  }
} finally {
  for (const burner of burners) burner.kill('SIGKILL');
}
const base = results.get(levels[0]!)!;
for (const [nice, r] of results) {
  console.log(`nice ${nice}: task median ${(median(r.ms) / 1000).toFixed(2)} s (ratio ${(median(r.ms) / median(base.ms)).toFixed(3)}); ` +
    `polls median ${median(r.polls).toFixed(1)} ms, p99 ${quantile(r.polls, 0.99).toFixed(1)} ms (ratio ${(quantile(r.polls, 0.99) / quantile(base.polls, 0.99)).toFixed(3)}), ` +
    `max ${Math.max(...r.polls).toFixed(1)} ms, ${r.polls.length} polls`);
}
