// `npm run bench:engine -- [--threads N] [--model PATH] [--seconds S] [--reps R]`
// Transcribes the same audio (jfk.wav repeated to at least S seconds) with the same model, threads and greedy
// settings through the worker pool and through whisper.cpp's own whisper-cli, built from the same source.
// Prints median wall times, their ratio (target ≤ 1.03) and the worker's peak RSS. A benchmark, not a test.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { createWorkerPool } from '../src/engine/pool/worker-pool.ts';
import { JFK_WAV, ROOT, TINY_EN_RANDOM } from '../test/helpers/paths.ts';
import { makeBenchAudio, median } from './bench-audio.ts';
import { loggerFrom } from '../src/logger.ts';

const CLI_BIN = path.join(ROOT, 'native/build/cpu/bin/whisper-cli');
const CLI_LIB_DIR = path.join(ROOT, 'native/build/cpu/lib');

const { values } = parseArgs({
  options: {
    threads: { type: 'string', default: '2' },
    model: { type: 'string', default: TINY_EN_RANDOM },
    seconds: { type: 'string', default: '132' },
    reps: { type: 'string', default: '3' },
  },
});
const threads = Number(values.threads);
const modelPath = path.resolve(values.model);
const reps = Number(values.reps);
// Defaults: 132 s (12 × jfk.wav), 3 reps of each after the warm-up.
if (!(threads >= 1 && reps >= 1)) throw new Error('--threads and --reps must be ≥ 1');
if (!existsSync(modelPath)) throw new Error(`model not found: ${modelPath} (npm run models:make-test makes the random tiny.en)`);

/** Builds whisper-cli once, from the same pinned source and options as the library. */
function ensureWhisperCli(): void {
  if (existsSync(CLI_BIN)) return;
  console.error('bench: building whisper-cli (once)…');
  const build = spawnSync('bash', [path.join(ROOT, 'native/build.sh')], { stdio: 'inherit', env: { ...process.env, WHISPER_BUILD_CLI: '1' } });
  if (build.status !== 0 || !existsSync(CLI_BIN)) throw new Error('whisper-cli build failed');
}

/** CPU seconds from /proc/<pid>/stat: the process's own, or (children) that of the children it has reaped. */
function cpuSeconds(pid: number | 'self', children = false): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  const [user, sys] = children ? [fields[13], fields[14]] : [fields[11], fields[12]];
  return (Number(user) + Number(sys)) / 100; // USER_HZ is 100 on Linux
}

/** A transcript reduced to comparable lines: "start-end text", times in centiseconds as whisper.cpp keeps them. */
type Lines = string[];
const line = (start: number, end: number, text: string) => `${start.toFixed(2)}-${end.toFixed(2)} ${text.trim()}`;
const clock = (hms: string) => hms.split(':').reduce((acc, part) => acc * 60 + Number(part), 0);

interface CliRun { wallMs: number; loadMs: number; segments: Lines; cpuSec: number }

/** One whisper-cli process: greedy (-bs 1; its default is a 5-beam search), English, no output files. */
function runWhisperCli(audio: string, durationSec: number): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const cpuBefore = cpuSeconds('self', true);
    const child = spawn(CLI_BIN, ['-m', modelPath, '-f', audio, '-t', String(threads), '-bs', '1', '-l', 'en'], {
      stdio: ['ignore', 'pipe', 'pipe'],
      // The binary's RUNPATH is its own folder; the libraries (the very ones the worker loads) are in ../lib.
      env: { ...process.env, LD_LIBRARY_PATH: [CLI_LIB_DIR, process.env.LD_LIBRARY_PATH].filter(Boolean).join(':') },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (c: string) => (stdout += c));
    child.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c));
    child.on('error', reject);
    child.on('close', (code) => {
      const wallMs = performance.now() - started;
      if (code !== 0) return reject(new Error(`whisper-cli exited with ${code}:\n${stderr.slice(-2000)}`));
      const load = /load time =\s*([\d.]+) ms/.exec(stderr);
      resolve({
        wallMs, loadMs: load ? Number(load[1]) : 0,
        // whisper.cpp can end the last segment past the audio; the worker clamps it to the audio's end.
        segments: [...stdout.matchAll(/^\[([\d:.]+) --> ([\d:.]+)\] {2}(.*)$/gm)]
          .map((m) => line(Math.min(clock(m[1]!), durationSec), Math.min(clock(m[2]!), durationSec), m[3]!)),
        // Once reaped, its CPU time shows in our children's total.
        cpuSec: cpuSeconds('self', true) - cpuBefore,
      });
    });
  });
}

/**
 * One timed job on a freshly started worker (started and ready before the clock runs), so that each
 * run pays the same cold-cache costs as a new whisper-cli process. (Each task has its own whisper_state,
 * so a reused worker would give the same transcript.)
 */
async function runPool(audio: string, id: string): Promise<{ wallMs: number; segments: Lines; cpuSec: number; peakMiB: number }> {
  const pool = createWorkerPool({
    // Same library as whisper-cli, DTW off as in whisper-cli, and the same priority (production workers run nicer).
    workers: 1, threads, modelPath, libPath: CLI_LIB_DIR, dtw: false, taskTimeoutMs: 60 * 60 * 1000, niceness: 0,
    log: loggerFrom((level, fields, message) => {
      if (level === 'warn' || level === 'error') console.error(`[${level}] ${message}`, fields);
    }),
  });
  try {
    while (pool.readyCount() === 0) await new Promise((resolve) => setTimeout(resolve, 20));
    const [pid] = pool.workerPids();
    if (pid === undefined) throw new Error('worker has no pid');
    const cpuBefore = cpuSeconds(pid);
    const started = performance.now();
    const outcome = await pool.run({
      taskId: id,
      mediaPath: audio,
      params: { language: 'en', task: 'transcribe', vad: false, wordTimestamps: false, diarize: false, temperature: 0 },
    });
    const wallMs = performance.now() - started;
    if (!outcome.ok) throw new Error(`worker pool failed: ${outcome.error.code} ${outcome.error.technicalDetail}`);
    const segments = outcome.result.segments.map((x) => line(x.start, x.end, x.text));
    return { wallMs, segments, cpuSec: cpuSeconds(pid) - cpuBefore, peakMiB: peakRssMiB(pid) };
  } finally {
    await pool.close();
  }
}

function peakRssMiB(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = /VmHWM:\s*(\d+) kB/.exec(status);
  return kb ? Number(kb[1]) / 1024 : Number.NaN;
}

const fmt = (ms: number) => `${(ms / 1000).toFixed(2)} s`;

ensureWhisperCli();
const audio = makeBenchAudio(Number(values.seconds));
console.log(`bench: ${audio.seconds.toFixed(1)} s of audio, model ${path.basename(modelPath)}, threads ${threads}, reps ${reps}, greedy, no DTW`);

// Warm-up on the short original: the page cache for both, at a fraction of a full run's cost
// (random-weight models decode slowly: their windows keep falling back to higher temperatures).
const warmPool = await runPool(JFK_WAV, 'warm');
const warmCli = await runWhisperCli(JFK_WAV, 11);
console.log(`warm-up on jfk.wav: pool ${fmt(warmPool.wallMs)} (${warmPool.segments.length} segments), whisper-cli ${fmt(warmCli.wallMs)} (${warmCli.segments.length} segments)`);

const poolMs: number[] = [];
const cliMs: number[] = [];
const cliNoLoadMs: number[] = [];
const poolCpu: number[] = [];
const cliCpu: number[] = [];
const peaks: number[] = [];
const transcripts = { pool: [] as Lines[], cli: [] as Lines[] };
for (let rep = 0; rep < reps; rep += 1) {
  // Alternate which goes first, so that drift on a shared machine hits both alike.
  const order = rep % 2 === 0 ? ['pool', 'cli'] : ['cli', 'pool'];
  for (const which of order) {
    if (which === 'pool') {
      const run = await runPool(audio.file, `rep${rep}`);
      poolMs.push(run.wallMs);
      poolCpu.push(run.cpuSec);
      peaks.push(run.peakMiB);
      transcripts.pool.push(run.segments);
    } else {
      const run = await runWhisperCli(audio.file, audio.seconds);
      cliMs.push(run.wallMs);
      cliNoLoadMs.push(run.wallMs - run.loadMs);
      cliCpu.push(run.cpuSec);
      transcripts.cli.push(run.segments);
    }
  }
  console.log(`rep ${rep + 1}: pool ${fmt(poolMs.at(-1)!)} (cpu ${poolCpu.at(-1)!.toFixed(2)} s), ` +
    `whisper-cli ${fmt(cliMs.at(-1)!)} (${fmt(cliNoLoadMs.at(-1)!)} without model load; cpu ${cliCpu.at(-1)!.toFixed(2)} s)`);
}
// Same settings, same audio, same library: both must produce the same transcript, or the comparison is void.
const distinct = new Set([...transcripts.pool, ...transcripts.cli].map((t) => t.join('\n')));
if (distinct.size === 1) console.log(`transcripts: identical in every run (${transcripts.pool[0]!.length} segments)`);
else {
  const [a, b] = [transcripts.pool[0]!, transcripts.cli[0]!];
  const at = a.findIndex((x, i) => x !== b[i]);
  const k = at < 0 ? a.length : at;
  console.warn(`bench: warning: ${distinct.size} different transcripts (pool ${transcripts.pool.map((t) => t.length).join('/')} segments, ` +
    `whisper-cli ${transcripts.cli.map((t) => t.length).join('/')}); first difference at segment ${k}: ` +
    `pool ${JSON.stringify(a[k] ?? null)} vs whisper-cli ${JSON.stringify(b[k] ?? null)}`);
}
const p = median(poolMs);
const c = median(cliMs);
const cNoLoad = median(cliNoLoadMs);
console.log(`median wall time: worker pool ${fmt(p)}, whisper-cli ${fmt(c)} (process), ${fmt(cNoLoad)} (without its model load)`);
console.log(`ratio pool / whisper-cli: ${(p / c).toFixed(3)} (process), ${(p / cNoLoad).toFixed(3)} (without model load; target ≤ 1.03)`);
// Noise on a shared machine only ever adds time, so the fastest run of each is the other fair summary.
console.log(`best wall time: worker pool ${fmt(Math.min(...poolMs))}, whisper-cli ${fmt(Math.min(...cliNoLoadMs))} (without model load); ` +
  `ratio ${(Math.min(...poolMs) / Math.min(...cliNoLoadMs)).toFixed(3)}`);
console.log(`median CPU time (user+sys): worker ${median(poolCpu).toFixed(2)} s, whisper-cli ${median(cliCpu).toFixed(2)} s ` +
  `(ratio ${(median(poolCpu) / median(cliCpu)).toFixed(3)}; whisper-cli's includes its model load)`);
console.log(`worker peak RSS (VmHWM): ${Math.max(...peaks).toFixed(1)} MiB`);
