// npm run docker:verify — builds the Dockerfile's `cpu` target with buildah (no Docker engine needed) on
// local stand-ins for its base images (scripts/docker-standin.sh), runs it with a data volume and the random
// test model, transcribes jfk.wav through the API, checks the user, /data, SIGTERM draining and the image
// contents, and prints the image size. Needs root, buildah and debootstrap; exits non-zero on any failure.
import { spawnSync, type ChildProcess } from 'node:child_process';
import { appendFileSync, chownSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildah, buildahSpawn, descendants, exited, imageSize, type ProcInfo } from './docker-buildah.ts';
import { checkFfmpeg, checkFiles, submit, waitFor200, waitStatus } from './docker-verify-checks.ts';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const IMAGE = 'localhost/whisper-tasks:cpu';
const MAX_MB = 450;
const MODEL = path.join(repo, 'test/.cache/models/ggml-tiny.en-random.bin');
const AUDIO = path.resolve(repo, '../shared/audio');
const started = Date.now();
const secs = (since: number) => `${((Date.now() - since) / 1000).toFixed(1)} s`;
const say = (msg: string) => process.stderr.write(`docker-verify: ${msg}\n`);

async function step<T>(name: string, fn: () => T | Promise<T>): Promise<T> {
  const t = Date.now();
  say(`${name} ...`);
  const value = await fn();
  say(`${name}: done in ${secs(t)}`);
  return value;
}

function preflight() {
  const missing = ['buildah', 'debootstrap'].filter((c) => spawnSync('sh', ['-c', `command -v ${c}`]).status !== 0);
  if (missing.length) throw new Error(`${missing.join(' and ')} not found: apt-get install ${missing.join(' ')}`);
  if (process.getuid?.() !== 0) throw new Error('buildah builds here as root (vfs storage, chroot isolation); run as root');
  for (const f of [MODEL, path.join(AUDIO, 'jfk.wav'), path.join(AUDIO, 'jfk.mp3')]) {
    if (!existsSync(f)) throw new Error(`${f} is missing (npm run models:make-test makes the model; ../shared holds the audio)`);
  }
}

const freePort = () => new Promise<number>((resolve) => {
  const s = createServer().listen(0, '127.0.0.1', () => { const { port } = s.address() as { port: number }; s.close(() => resolve(port)); });
});

/** One start of the image's CMD in the container; the server process is found through /proc. */
async function startServer(ctr: string, dataDir: string, port: number, log: string[]) {
  const cmd = (JSON.parse(buildah(['inspect', '--type', 'image', IMAGE])) as { OCIv1: { config: { Cmd: string[] } } }).OCIv1.config.Cmd;
  const env = { PORT: String(port), WHISPER_MODEL: 'tiny.en-random', WORKERS: '1', WHISPER_THREADS: '2', SHUTDOWN_GRACE_MS: '240000', LOG_LEVEL: 'info' };
  const child = buildahSpawn(['run', '--isolation', 'chroot', '-v', `${dataDir}:/data`,
    ...Object.entries(env).flatMap(([k, v]) => ['-e', `${k}=${v}`]), ctr, '--', ...cmd], (line) => log.push(line));
  const alive = () => child.exitCode === null && child.signalCode === null;
  await waitFor200(`http://127.0.0.1:${port}/health/ready`, 300_000, alive);
  const procs = descendants(child.pid!).filter((p) => p.argv[0]?.endsWith('node'));
  const server = procs.find((p) => p.argv.includes(cmd.at(-1)!));
  if (!server) throw new Error(`no server process (${cmd.join(' ')}) under buildah run`);
  return { child, server, procs, cmd };
}

/** SIGTERM to the server (what `docker stop` sends); resolves with its exit code once buildah run has ended. */
async function stopServer(child: ChildProcess, server: ProcInfo): Promise<number | null> {
  process.kill(server.pid, 'SIGTERM');
  return exited(child, 300_000);
}

async function main() {
  preflight();
  await step('stand-in base images (scripts/docker-standin.sh)', () => {
    if (spawnSync('bash', [path.join(repo, 'scripts/docker-standin.sh')], { stdio: 'inherit' }).status !== 0) throw new Error('stand-in build failed');
  });
  const buildLog: string[] = [];
  const logFile = path.join(repo, 'test-artifacts/docker-build.log');
  mkdirSync(path.dirname(logFile), { recursive: true });
  writeFileSync(logFile, '');
  await step(`buildah bud --target cpu -t ${IMAGE} (log: test-artifacts/docker-build.log)`, async () => {
    const bud = buildahSpawn(['bud', '--layers', '--pull=false', '--isolation', 'chroot', '--target', 'cpu', '-t', IMAGE, repo], (l) => {
      buildLog.push(l);
      appendFileSync(logFile, `${l}
`);
    });
    if ((await exited(bud, 3_600_000)) !== 0) throw new Error(`image build failed:\n${buildLog.slice(-40).join('\n')}`);
  });
  const ctr = buildah(['from', '--pull=false', IMAGE]);
  const dataDir = mkdtempSync('/var/tmp/docker-verify-');
  const log: string[] = [];
  let running: ChildProcess | null = null;
  try {
    const root = buildah(['mount', ctr]);
    // buildah run gives a VOLUME of the image a fresh anonymous volume that hides a bind mount on the same
    // path, so this container (not the image) drops the VOLUME; the bind below then stands for a named volume.
    buildah(['config', '--volume', '/data-', ctr]);
    for (const line of checkFiles(root, repo)) say(`image: ${line}`);
    // A fresh named volume starts as a copy of the image's /data, owner included; a bind mount must be given it.
    const { uid, gid } = statSync(path.join(root, 'data'));
    mkdirSync(path.join(dataDir, 'models'));
    copyFileSync(MODEL, path.join(dataDir, 'models/ggml-tiny.en-random.bin'));
    copyFileSync(path.join(AUDIO, 'jfk.mp3'), path.join(dataDir, 'jfk.mp3'));
    for (const p of [dataDir, path.join(dataDir, 'models'), path.join(dataDir, 'models/ggml-tiny.en-random.bin')]) chownSync(p, uid, gid);
    say(checkFfmpeg(ctr, [`${dataDir}:/data`], repo, '/data/jfk.mp3'));

    const port = await freePort();
    const base = `http://127.0.0.1:${port}`;
    const first = await step('start the image CMD, wait for /health/ready', () => startServer(ctr, dataDir, port, log));
    running = first.child;
    const rooted = first.procs.filter((p) => p.uid !== uid);
    if (rooted.length) throw new Error(`processes not running as uid ${uid}: ${rooted.map((p) => `${p.uid} ${p.argv.join(' ')}`).join('; ')}`);
    const workers = first.procs.filter((p) => p.argv.some((a) => a.endsWith('worker-main.js')));
    if (workers.length === 0) throw new Error(`no worker-main.js process: ${first.procs.map((p) => p.argv.join(' ')).join('; ')}`);
    if (first.procs.some((p) => p.argv.some((a) => a.includes('tsx')))) throw new Error('a process runs with the tsx loader');
    say(`processes: server (${first.cmd.join(' ')}) and ${workers.length} worker(s) running worker-main.js, all as uid ${uid}`);

    const id = await submit(base, path.join(AUDIO, 'jfk.wav'));
    await step('transcribe jfk.wav through POST /tasks', () => waitStatus(base, id, ['completed'], 900_000));
    const result = (await (await fetch(`${base}/tasks/${id}/result?format=json`)).json()) as { duration: number; segments: unknown[] };
    if (!(result.duration > 10.5 && result.duration < 11.5) || result.segments.length === 0) throw new Error(`unexpected result: ${JSON.stringify(result).slice(0, 400)}`);
    say(`result: ${result.duration} s of audio, ${result.segments.length} segment(s)`);
    const written = readdirSync(dataDir).filter((f) => statSync(path.join(dataDir, f)).uid === uid && !['models', 'jfk.mp3'].includes(f));
    if (written.length === 0) throw new Error('the server wrote nothing into /data');
    say(`/data is writable: the server made ${written.join(', ')}`);

    const drained = await submit(base, path.join(AUDIO, 'jfk.wav'));
    await waitStatus(base, drained, ['processing', 'completed'], 300_000);
    const code = await step('SIGTERM while a task runs', () => stopServer(first.child, first.server));
    running = null;
    if (code !== 0) throw new Error(`the server exited ${code} after SIGTERM:\n${log.slice(-20).join('\n')}`);
    const left = first.procs.filter((p) => existsSync(`/proc/${p.pid}`));
    if (left.length) throw new Error(`processes outlived the server: ${left.map((p) => p.pid).join(', ')}`);
    const second = await step('restart on the same volume', () => startServer(ctr, dataDir, port, log));
    running = second.child;
    await waitStatus(base, drained, ['completed'], 5_000).catch((e: unknown) => { throw new Error(`the task running at SIGTERM was not finished (drained): ${String(e)}`); });
    say('SIGTERM drained: exit code 0, no process left, the running task completed before the exit');
    if ((await stopServer(second.child, second.server)) !== 0) throw new Error('the restarted server did not exit 0 on SIGTERM');
    running = null;
  } catch (error) {
    if (log.length) say(`container output (last lines):\n${log.slice(-30).join('\n')}`);
    throw error;
  } finally {
    if (running) {
      for (const p of descendants(running.pid!)) process.kill(p.pid, 'SIGKILL');
      running.kill('SIGKILL');
    }
    try { buildah(['rm', ctr]); } catch (e) { say(`warning: ${String(e)}`); }
    rmSync(dataDir, { recursive: true, force: true });
  }
  const mb = imageSize(IMAGE) / 1e6;
  console.log(`docker-verify: OK in ${secs(started)}; image ${IMAGE} is ${mb.toFixed(0)} MB (target ≤ ${MAX_MB} MB)`);
  if (mb > MAX_MB) throw new Error(`the image is ${mb.toFixed(0)} MB, over the ${MAX_MB} MB target`);
  // CI skips docker:verify while the image's inputs stay as they were at this passing run (scripts/docker-ci.mjs).
  spawnSync(process.execPath, [path.join(repo, 'scripts/docker-ci.mjs'), 'stamp', ((Date.now() - started) / 1000).toFixed(0), mb.toFixed(0)], { stdio: 'inherit' });
}

main().catch((error: unknown) => {
  say(`FAILED after ${secs(started)}: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
