// The Dockerfile checked by reading it (fast, in every `npm test`): what it copies exists (or an earlier
// stage makes it), the runtime stages run as a non-root user with a health check, and the exact start
// command (the compiled server) and health check work against this checkout. `npm run docker:verify`
// builds and runs the image itself (scripts/docker-verify.ts).
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.ts';
import { ROOT } from '../helpers/paths.ts';
import { execForm, last, parseCopy, parseDockerfile, stageEnv, type Stage } from './dockerfile-parser.ts';

const dockerfile = readFileSync(path.join(ROOT, 'Dockerfile'), 'utf8');
const stages = parseDockerfile(dockerfile);
const stage = (name: string) => stages.find((s) => s.name === name) ?? expect.unreachable(`no stage ${name}`);
const runs = (s: Stage) => s.instructions.filter((i) => i.keyword === 'RUN').map((i) => i.args).join('\n');
const RUNTIMES = ['cpu', 'cuda'];
const ignored = readFileSync(path.join(ROOT, '.dockerignore'), 'utf8').split('\n').map((l) => l.trim()).filter((l) => l && !l.startsWith('#'));

/** Whether .dockerignore keeps a repository path out of the build context (the patterns used here: paths and `*.ext`). */
function isIgnored(rel: string): boolean {
  return ignored.some((pattern) => {
    if (pattern.includes('*')) {
      const re = new RegExp(`^${pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '[^/]*')}$`);
      return re.test(rel) || re.test(path.basename(rel));
    }
    return rel === pattern || rel.startsWith(`${pattern}/`);
  });
}

/** What a RUN in a stage must contain for that stage to have produced a path under its WORKDIR. */
function producer(rel: string): RegExp | null {
  if (rel === 'node_modules') return /\bnpm ci\b/;
  if (rel === 'web-dist') return /scripts\/build-web\.mjs/;
  if (rel === 'dist') return /tsc -p tsconfig\.build\.json/;
  if (rel.startsWith('opt/ffmpeg/')) return /docker-ffmpeg\.sh \/opt\/ffmpeg/;
  const native = /^native\/build\/(cpu|cuda)\/lib$/.exec(rel);
  if (native) return native[1] === 'cuda' ? /GGML_CUDA=1 .*native\/build\.sh/ : /^(?!.*GGML_CUDA=1).*native\/build\.sh/m;
  return null;
}

describe('Dockerfile', () => {
  it('is multi-stage: native builds, then runtime stages, the CPU one last (the default target)', () => {
    expect(stages.map((s) => s.name)).toEqual(expect.arrayContaining(['deps', 'native-cpu', 'ffmpeg', 'native-cuda', 'cuda', 'cpu']));
    expect(stages.at(-1)!.name).toBe('cpu');
    // Not node:*-slim: that one carries npm and Node's C++ headers; only the node binary is copied in.
    expect(stage('cpu').base).toMatch(/^debian:bookworm-slim$/);
    expect(stage('native-cpu').base).toMatch(/^node:20-bookworm$/);
    expect(stage('native-cuda').base).toMatch(/^nvidia\/cuda:[\d.]+-devel-/);
    expect(stage('cuda').base).toMatch(/^nvidia\/cuda:[\d.]+-runtime-/);
    expect(runs(stage('native-cuda'))).toMatch(/GGML_CUDA=1/);
    expect(runs(stage('native-cpu'))).toMatch(/cmake/);
    expect(dockerfile).not.toMatch(/-march=native/);
  });

  it('copies from the build context only files that exist and that .dockerignore lets through', () => {
    const sources = stages.flatMap((s) => s.instructions.filter((i) => i.keyword === 'COPY').map((i) => parseCopy(i.args)))
      .filter((c) => c.from === null).flatMap((c) => c.sources);
    expect(sources.length).toBeGreaterThan(3);
    for (const source of sources) {
      const rel = path.normalize(source).replace(/\/$/, '');
      expect(existsSync(path.join(ROOT, rel)), `${source} exists`).toBe(true);
      expect(isIgnored(rel), `${source} is not in .dockerignore`).toBe(false);
    }
    // Host builds must never leak into the image; the stages make their own.
    for (const built of ['node_modules', 'native/build', 'web-dist', 'data']) expect(isIgnored(built), built).toBe(true);
  });

  it('copies from other stages only what an earlier stage makes', () => {
    const copies = stages.flatMap((s, index) => s.instructions.filter((i) => i.keyword === 'COPY')
      .map((i) => ({ ...parseCopy(i.args), index })).filter((c) => c.from !== null));
    expect(copies.length).toBeGreaterThanOrEqual(6);
    for (const copy of copies) {
      const fromIndex = stages.findIndex((s) => s.name === copy.from);
      expect(fromIndex, `stage ${copy.from} is defined before it is used`).toBeGreaterThanOrEqual(0);
      expect(fromIndex).toBeLessThan(copy.index);
      const source = stages[fromIndex]!;
      if (copy.sources[0] === '/usr/local/bin/node') {
        expect(source.base).toMatch(/^node:\d+-bookworm-slim$/); // the official image keeps node there
        continue;
      }
      const workdir = last(source, 'WORKDIR')?.args ?? '/';
      for (const file of copy.sources) {
        const rel = path.relative(workdir, file);
        expect(rel.startsWith('..'), `${file} lies under ${workdir}`).toBe(false);
        const made = producer(rel);
        expect(made, `a known build product: ${rel}`).not.toBeNull();
        expect(runs(source)).toMatch(made!);
      }
    }
    // What the CPU stages make is what this checkout's set-up made: the same commands, here.
    for (const product of ['node_modules/typescript', 'web-dist/index.html', 'native/build/cpu/lib/libwhisper.so']) {
      expect(existsSync(path.join(ROOT, product)), product).toBe(true);
    }
  });

  it('runs each runtime stage as a non-root user it creates, with DATA_DIR a volume it owns, and a health check', () => {
    for (const name of RUNTIMES) {
      const s = stage(name);
      const user = last(s, 'USER')?.args;
      expect(user, `${name} sets USER`).toBeDefined();
      expect(user).not.toMatch(/^(root|0)(:|$)/);
      expect(runs(s)).toMatch(new RegExp(`useradd .*\\b${user}\\b`));
      const env = stageEnv(s);
      expect(env).toMatchObject({ DATA_DIR: '/data', HOST: '0.0.0.0', PORT: '8000' });
      expect(last(s, 'VOLUME')?.args).toContain(env.DATA_DIR);
      expect(runs(s)).toMatch(new RegExp(`chown [^\\n]*${env.DATA_DIR}`));
      expect(last(s, 'EXPOSE')?.args).toBe(env.PORT);
      expect(last(s, 'HEALTHCHECK')?.args).toMatch(/CMD \["node"/);
      // The server reads the image's values as they were meant (PORT a number, DATA_DIR as given), not defaults.
      expect(loadConfig(env)).toMatchObject({ HOST: env.HOST, PORT: Number(env.PORT), DATA_DIR: env.DATA_DIR });
    }
  });

  it('starts the compiled server with plain node (no TypeScript loader), and ships no sources or tsx', () => {
    const build = JSON.parse(readFileSync(path.join(ROOT, 'tsconfig.build.json'), 'utf8').replace(/^\/\/.*$/gm, '')) as
      { compilerOptions: { rootDir: string; outDir: string } };
    expect(build.compilerOptions).toMatchObject({ rootDir: 'src', outDir: 'dist' });
    for (const name of RUNTIMES) {
      const cmd = execForm(last(stage(name), 'CMD')!.args);
      expect(cmd).toEqual(['node', 'dist/main.js']);
      expect(existsSync(path.join(ROOT, 'src/main.ts'))).toBe(true);
      const copied = stage(name).instructions.filter((i) => i.keyword === 'COPY').map((i) => parseCopy(i.args));
      expect(copied.flatMap((c) => c.sources)).not.toContain('src');
    }
    expect(runs(stage('deps'))).toMatch(/rm -rf [^\n]*node_modules\/tsx/);
  });
});

describe('the Dockerfile start command', () => {
  const env = stageEnv(stage('cpu'));
  const cmd = execForm(last(stage('cpu'), 'CMD')!.args);
  const health = execForm(last(stage('cpu'), 'HEALTHCHECK')!.args);
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'docker-start-'));
  const lines: string[] = [];
  let child: ReturnType<typeof spawn>;
  let port = 0;
  // The image's environment and nothing of this machine's, but PATH (ffmpeg) and a throwaway DATA_DIR.
  const imageEnv = { PATH: process.env.PATH ?? '/usr/bin:/bin', ...env, DATA_DIR: dataDir };

  beforeAll(async () => {
    // The CMD runs dist/main.js: build it here as the deps stage does.
    const tsc = spawnSync(process.execPath, [path.join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.build.json'],
      { cwd: ROOT, encoding: 'utf8', timeout: 240_000 });
    if (tsc.status !== 0) throw new Error(`tsc -p tsconfig.build.json failed (${tsc.status ?? tsc.signal}): ${tsc.stdout}${tsc.stderr}`);
    child = spawn(cmd[0] === 'node' ? process.execPath : cmd[0]!, cmd.slice(1), {
      cwd: ROOT, env: { ...imageEnv, PORT: '0' }, stdio: ['ignore', 'pipe', 'pipe'],
    });
    const collect = (chunk: Buffer) => lines.push(...chunk.toString('utf8').split('\n').filter(Boolean));
    child.stdout!.on('data', collect);
    child.stderr!.on('data', collect);
    const deadline = Date.now() + 60_000;
    while (port === 0) {
      const listening = lines.map((l) => /"url":"http:\/\/[^"]*:(\d+)"/.exec(l)).find(Boolean);
      if (listening) port = Number(listening[1]);
      else if (child.exitCode !== null || Date.now() > deadline) throw new Error(`server did not start:\n${lines.join('\n')}`);
      else await new Promise((r) => setTimeout(r, 50));
    }
  }, 330_000);
  afterAll(async () => {
    if (child && child.exitCode === null) {
      child.kill('SIGKILL');
      await new Promise((r) => child.once('exit', r));
    }
    rmSync(dataDir, { recursive: true, force: true });
  });

  const runHealthCheck = (checkPort: number) =>
    spawnSync(health[0] === 'node' ? process.execPath : health[0]!, health.slice(1), { env: { ...imageEnv, PORT: String(checkPort) }, timeout: 20_000 });

  it('answers /health/live, even before any model has been downloaded into DATA_DIR', async () => {
    const live = await fetch(`http://127.0.0.1:${port}/health/live`);
    expect(live.status).toBe(200);
    expect((await fetch(`http://127.0.0.1:${port}/health/ready`)).status).toBe(503);
    expect(lines.some((l) => l.includes('Model file not found'))).toBe(true);
  });

  it('passes the HEALTHCHECK command, which fails where nothing listens', async () => {
    expect(runHealthCheck(port).status).toBe(0);
    const closed = await new Promise<number>((resolve) => {
      const probe = spawnSync(process.execPath, ['-e', "const s=require('net').createServer().listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close()})"]);
      resolve(Number(probe.stdout.toString().trim()));
    });
    expect(runHealthCheck(closed).status).toBe(1);
  });

  it('forks workers from the compiled worker-main.js, not the TypeScript one', () => {
    const script = "const m = await import('./dist/engine/pool/worker-pool-options.js');" +
      "console.log(m.resolvePoolOptions({ workers: 1, threads: 1, modelPath: 'm', taskTimeoutMs: 1 }).entry)";
    const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], { cwd: ROOT, encoding: 'utf8', timeout: 30_000 });
    expect(r.stderr).toBe('');
    expect(r.stdout.trim()).toBe(path.join(ROOT, 'dist/engine/worker-main.js'));
  });

  it('stops with exit code 0 on SIGTERM (docker stop)', async () => {
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
  }, 30_000);
});
