// `npm run bench:peer -- [--threads N] [--model PATH] [--seconds S] [--reps R] [--modes same,defaults,words] [--peer-nice N]`
// The service against the peer a user would pick instead: whisper.cpp's own whisper-server, built from the
// same pinned source with whisper.cpp's default CMake options (native/build-peer.sh). The same audio
// (jfk.wav repeated to at least S seconds) goes through our POST /v1/audio/transcriptions and the peer's
// POST /inference, in interleaved pairs, with the same model and threads. Modes:
//   same      the peer told our decoding (best_of 5), no word timestamps     target: ratio ≤ 1.00, same text
//   defaults  each side's defaults (the peer's best_of is 2), no word timestamps
//   words     word timestamps: ours (DTW) against the peer run with DTW (-dtw <model> -nfa)
// Prints per-mode median wall times, the median of the per-pair ratios, and whether the texts are identical.
// Each timed peer request goes to a freshly started whisper-server (its start is not timed): see runPeer.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { JFK_WAV, ROOT, TINY_EN_RANDOM } from '../test/helpers/paths.ts';
import { makeBenchAudio, median } from './bench-audio.ts';

const PEER_BIN = path.join(ROOT, 'native/build/peer/bin/whisper-server');
const { values } = parseArgs({
  options: {
    threads: { type: 'string', default: '2' },
    model: { type: 'string', default: TINY_EN_RANDOM },
    seconds: { type: 'string', default: '66' },
    reps: { type: 'string', default: '3' },
    modes: { type: 'string', default: 'same,defaults,words' },
    'peer-nice': { type: 'string', default: '0' },
  },
});
const threads = Number(values.threads);
const reps = Number(values.reps);
const modelPath = path.resolve(values.model);
const modes = values.modes.split(',').map((m) => m.trim());
if (!(threads >= 1 && reps >= 1)) throw new Error('--threads and --reps must be ≥ 1');
if (!existsSync(modelPath)) throw new Error(`model not found: ${modelPath} (npm run models:make-test makes the random tiny.en)`);
for (const m of modes) if (!['same', 'defaults', 'words'].includes(m)) throw new Error(`unknown mode ${m}`);
const dtwName = /ggml-(tiny|base|small|medium|large-v[123])(\.en)?/.exec(path.basename(modelPath))?.slice(1, 3).join('') ?? 'tiny.en';

if (!existsSync(PEER_BIN)) {
  console.error('bench: building whisper-server (once)…');
  const build = spawnSync('bash', [path.join(ROOT, 'native/build-peer.sh')], { stdio: 'inherit' });
  if (build.status !== 0 || !existsSync(PEER_BIN)) throw new Error('whisper-server build failed');
}

const freePort = () => new Promise<number>((resolve) => {
  const srv = createServer().listen(0, '127.0.0.1', () => {
    const { port } = srv.address() as { port: number };
    srv.close(() => resolve(port));
  });
});

async function waitUntil(ok: () => Promise<boolean>, what: string, child: ChildProcess, timeoutMs = 120_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`${what} exited with ${child.exitCode}`);
    if (await ok().catch(() => false)) return;
    if (Date.now() > end) throw new Error(`${what} not ready within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** CPU seconds (user + system) a process has used so far; 0 once it is gone. */
function cpuSeconds(pid: number): number {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100; // USER_HZ is 100 on Linux
  } catch {
    return 0;
  }
}

/** The pids of a process's children (our server's worker). */
const childPids = (pid: number) => readdirSync(`/proc/${pid}/task`)
  .flatMap((tid) => readFileSync(`/proc/${pid}/task/${tid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number));

/** Our server in its own process, one worker, as a user would run it (`npm start`). */
async function startOurs(): Promise<{ url: string; cpu(): number; stop(): void }> {
  const port = await freePort();
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'bench-peer-'));
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    cwd: ROOT, stdio: ['ignore', 'ignore', 'inherit'],
    env: { ...process.env, PORT: String(port), HOST: '127.0.0.1', DATA_DIR: dataDir, WHISPER_MODEL: modelPath, WORKERS: '1',
      WHISPER_THREADS: String(threads), LOG_LEVEL: 'warn', RATE_LIMIT_PER_MINUTE: '0' },
  });
  const url = `http://127.0.0.1:${port}`;
  await waitUntil(async () => (await fetch(`${url}/health/ready`)).status === 200, 'our server', child);
  return {
    url,
    // The worker does the transcription; the server's own share (HTTP, upload, queue) is counted too.
    cpu: () => cpuSeconds(child.pid!) + childPids(child.pid!).reduce((sum, pid) => sum + cpuSeconds(pid), 0),
    stop: () => { child.kill('SIGTERM'); setTimeout(() => rmSync(dataDir, { recursive: true, force: true }), 2000); },
  };
}

/** whisper-server with the given extra flags; it keeps one context (and its RNG) for every request. */
async function startPeer(flags: string[]): Promise<{ url: string; cpu(): number; stop(): void }> {
  const port = await freePort();
  const args = ['-m', modelPath, '-t', String(threads), '--host', '127.0.0.1', '--port', String(port), ...flags];
  const nice = Number(values['peer-nice']);
  const child = nice > 0 ? spawn('nice', ['-n', String(nice), PEER_BIN, ...args], { stdio: 'ignore' }) : spawn(PEER_BIN, args, { stdio: 'ignore' });
  const url = `http://127.0.0.1:${port}`;
  await waitUntil(async () => (await fetch(`${url}/`)).status < 500, 'whisper-server', child);
  // Under `nice`, the server is nice's exec'd self: same pid.
  return { url, cpu: () => cpuSeconds(child.pid!), stop: () => child.kill('SIGTERM') };
}

const normalize = (text: string) => text.replace(/\s+/g, ' ').trim();

interface Timed { ms: number; cpu: number; text: string }

/** Where two texts part, with a little context on each side, JSON-quoted so that whitespace shows. */
function firstDifference(a: string, b: string): string {
  let i = 0;
  while (i < a.length && i < b.length && a[i] === b[i]) i++;
  const from = Math.max(0, i - 20);
  return `at char ${i}: ours ${JSON.stringify(a.slice(from, i + 20))}, peer ${JSON.stringify(b.slice(from, i + 20))}`;
}

async function post(url: string, fields: Record<string, string | string[]>, file: string): Promise<{ ms: number; text: string }> {
  const form = new FormData();
  form.append('file', new Blob([readFileSync(file)], { type: 'audio/wav' }), path.basename(file));
  for (const [k, v] of Object.entries(fields)) for (const one of [v].flat()) form.append(k, one);
  // node:http rather than fetch: a random-weight model can take longer than fetch's 300 s header timeout.
  const encoded = new Response(form);
  const payload = Buffer.from(await encoded.arrayBuffer());
  const started = performance.now();
  const { status, body } = await new Promise<{ status: number; body: string }>((resolve, reject) => {
    const req = request(url, { method: 'POST', headers: { 'content-type': encoded.headers.get('content-type')!, 'content-length': payload.length } }, (res) => {
      let text = '';
      res.setEncoding('utf8').on('data', (c: string) => (text += c)).on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
    });
    req.on('error', reject);
    req.end(payload);
  });
  const ms = performance.now() - started;
  if (status !== 200) throw new Error(`${url} answered ${status}: ${body.slice(0, 300)}`);
  // whisper-server's json text ends every segment with a newline; ours joins segment texts as they
  // are (as OpenAI does). Our verbose_json's segments are joined the peer's way, so only decoding differs.
  const parsed = JSON.parse(body) as { text: string; segments?: { text: string }[] };
  return { ms, text: normalize(parsed.segments ? parsed.segments.map((segment) => segment.text).join('\n') : parsed.text) };
}

const ours = (url: string, file: string, words: boolean) => post(`${url}/v1/audio/transcriptions`, {
  model: 'whisper-1', language: 'en', temperature: '0',
  // Segments are asked for with words, or verbose_json leaves them out (as OpenAI's does) and the texts join differently.
  response_format: 'verbose_json', ...(words ? { 'timestamp_granularities[]': ['word', 'segment'] } : {}),
}, file);
const peer = (url: string, file: string) => post(`${url}/inference`, { response_format: 'json', temperature: '0.0', language: 'en' }, file);

const PEER_FLAGS: Record<string, string[]> = { same: ['-bo', '5'], defaults: [], words: ['-bo', '5', '-dtw', dtwName, '-nfa'] };
const audio = makeBenchAudio(Number(values.seconds));
console.log(`bench:peer: ${audio.seconds.toFixed(1)} s of audio, model ${path.basename(modelPath)}, threads ${threads}, reps ${reps}, ` +
  `peer nice ${values['peer-nice']} (our workers: nice ${os.getPriority(0)}, the default 0 or inherited)`);
const server = await startOurs();
try {
  for (const mode of modes) {
    const words = mode === 'words';
    // Warm-up: the page cache for both, and our context for word timestamps.
    await ours(server.url, JFK_WAV, words);
    const warm = await startPeer(PEER_FLAGS[mode]!);
    await peer(warm.url, JFK_WAV).finally(() => warm.stop());
    {
      const ourMs: number[] = [];
      const peerMs: number[] = [];
      const ratios: number[] = [];
      const cpuRatios: number[] = [];
      const same: boolean[] = [];
      for (let rep = 0; rep < reps; rep += 1) {
        // Alternate which goes first, so drift on a shared machine hits both alike.
        const runOurs = async (): Promise<Timed> => {
          const before = server.cpu();
          const r = await ours(server.url, audio.file, words);
          return { ...r, cpu: server.cpu() - before };
        };
        // A fresh peer for each timed request: whisper-server keeps one state, so its sampling RNG (and
        // with random weights, how much fallback decoding a file costs) moves on with every request.
        // Its first request starts from the same seed as each of our tasks, so both do the same work.
        const runPeer = async (): Promise<Timed> => {
          const p = await startPeer(PEER_FLAGS[mode]!);
          try {
            const before = p.cpu();
            const r = await peer(p.url, audio.file);
            return { ...r, cpu: p.cpu() - before };
          } finally {
            p.stop();
          }
        };
        let o: Timed;
        let b: Timed;
        if (rep % 2 === 0) {
          o = await runOurs();
          b = await runPeer();
        } else {
          b = await runPeer();
          o = await runOurs();
        }
        ourMs.push(o.ms);
        peerMs.push(b.ms);
        ratios.push(o.ms / b.ms);
        cpuRatios.push(o.cpu / b.cpu);
        same.push(o.text === b.text);
        console.log(`  ${mode} rep ${rep + 1}: ours ${(o.ms / 1000).toFixed(2)} s, peer ${(b.ms / 1000).toFixed(2)} s, ratio ${(o.ms / b.ms).toFixed(3)}; ` +
          `cpu ours ${o.cpu.toFixed(2)} s, peer ${b.cpu.toFixed(2)} s, ratio ${(o.cpu / b.cpu).toFixed(3)}; ` +
          `text ${o.text === b.text ? 'identical' : `differs (ours ${o.text.length} chars, peer ${b.text.length}): ${firstDifference(o.text, b.text)}`}`);
      }
      console.log(`${mode}: median ours ${(median(ourMs) / 1000).toFixed(2)} s, peer ${(median(peerMs) / 1000).toFixed(2)} s; ` +
        `median ratio ours/peer ${median(ratios).toFixed(3)} (wall), ${median(cpuRatios).toFixed(3)} (cpu); texts identical in ${same.filter(Boolean).length}/${same.length} pairs`);
    }
  }
} finally {
  server.stop();
}
