// What docker-verify.ts checks inside the image, and the HTTP calls it makes to the running container.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { buildah } from './docker-buildah.ts';

/** Build tools and headers that must stay in the build stages (paths inside the image). */
const BUILD_ONLY = [
  '/usr/bin/gcc', '/usr/bin/g++', '/usr/bin/cc', '/usr/bin/c++', '/usr/bin/make', '/usr/bin/cmake', '/usr/bin/ld',
  '/usr/bin/as', '/usr/local/bin/npm', '/usr/local/include/node', '/usr/include/stdio.h', '/usr/include/linux',
  '/app/src', '/app/node_modules/typescript', '/app/node_modules/tsx', '/app/node_modules/esbuild',
];

/** Checks the image's files through its mounted root; returns what it found, throws on a failure. */
export function checkFiles(root: string, repo: string): string[] {
  const at = (p: string) => path.join(root, p);
  const present = BUILD_ONLY.filter((p) => existsSync(at(p)));
  if (present.length > 0) throw new Error(`the runtime image holds build-only files: ${present.join(', ')}`);
  for (const p of ['/usr/local/bin/node', '/usr/local/bin/ffmpeg', '/usr/local/bin/ffprobe', '/app/dist/main.js',
    '/app/dist/engine/worker-main.js', '/app/native/build/cpu/lib/libwhisper.so', '/app/web-dist/index.html']) {
    if (!existsSync(at(p))) throw new Error(`the image lacks ${p}`);
  }
  const dataOwner = statSync(at('/data')).uid;
  if (dataOwner === 0) throw new Error('/data in the image belongs to root; the server runs as a non-root user');
  const found = [`no compiler, headers, npm, TypeScript sources or tsx; /data owned by uid ${dataOwner}`];
  // Runtime CPU dispatch (native/build.sh on x86-64): the modules, down to the one any x86-64 runs.
  if (process.arch === 'x64') {
    const lib = at('/app/native/build/cpu/lib');
    const modules = readdirSync(lib).filter((f) => /^libggml-cpu-.+\.so$/.test(f));
    if (!modules.includes('libggml-cpu-x64.so')) throw new Error(`the image lacks the x86-64 CPU backend modules in ${lib} (found: ${modules.join(', ') || 'none'})`);
    found.push(`${modules.length} CPU backend modules for runtime dispatch`);
  }
  // Native npm packages of package.json must be in the image with their platform part (sherpa-onnx-node's
  // optional per-platform package carries its addon and ONNX Runtime).
  const deps = Object.keys((JSON.parse(readFileSync(path.join(repo, 'package.json'), 'utf8')) as { dependencies: object }).dependencies);
  if (deps.includes('sherpa-onnx-node')) {
    const platform = `sherpa-onnx-${process.platform}-${process.arch}`;
    for (const pkg of ['sherpa-onnx-node', platform]) {
      if (!existsSync(at(`/app/node_modules/${pkg}/package.json`))) throw new Error(`the image lacks node_modules/${pkg}`);
    }
    found.push(`sherpa-onnx-node and ${platform} installed`);
  }
  return found;
}

/** Runs a command in a container as its image user, with `mounts` (host:container), and returns stdout. */
export const inContainer = (ctr: string, mounts: string[], argv: string[]) =>
  buildah(['run', '--isolation', 'chroot', ...mounts.flatMap((m) => ['-v', m]), ctr, '--', ...argv], { timeoutMs: 120_000 });

/** Checks that the image's ffmpeg opens every format the server whitelists and decodes jfk.mp3 to 11 s of PCM. */
export function checkFfmpeg(ctr: string, mounts: string[], repo: string, mp3InContainer: string): string {
  const source = readFileSync(path.join(repo, 'src/audio/media-tools.ts'), 'utf8');
  const list = /const FORMATS = \[([\s\S]*?)\]/.exec(source)?.[1];
  if (!list) throw new Error('could not read the FORMATS whitelist from src/audio/media-tools.ts');
  const wanted = [...list.matchAll(/'([\w-]+)'/g)].map((m) => m[1]!);
  const demuxers = new Set(inContainer(ctr, mounts, ['ffmpeg', '-hide_banner', '-demuxers']).split('\n')
    .map((l) => /^\s*D\S*\s+(\S+)/.exec(l)?.[1]).filter(Boolean).flatMap((names) => names!.split(',')));
  const missing = wanted.filter((w) => !demuxers.has(w));
  if (missing.length > 0) throw new Error(`the image's ffmpeg lacks demuxers the server allows: ${missing.join(', ')}`);
  const probe = inContainer(ctr, mounts, ['ffprobe', '-v', 'error', '-show_entries', 'format=duration', '-of', 'csv=p=0', `file:${mp3InContainer}`]);
  const out = inContainer(ctr, mounts, ['sh', '-c', `ffmpeg -nostdin -v error -i file:${mp3InContainer} -map 0:a:0 -ac 1 -ar 16000 -c:a pcm_f32le -f f32le pipe:1 | wc -c`]);
  const seconds = Number(out) / 4 / 16000;
  if (!(seconds > 10.5 && seconds < 11.5)) throw new Error(`ffmpeg decoded jfk.mp3 to ${seconds} s of audio, expected about 11`);
  return `ffmpeg: all ${wanted.length} whitelisted formats; jfk.mp3 probed at ${Number(probe).toFixed(2)} s, decoded to ${seconds.toFixed(2)} s`;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Polls `url` until it answers 200 or `ms` pass; `alive` stops the wait early when the server died. */
export async function waitFor200(url: string, ms: number, alive: () => boolean): Promise<void> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (!alive()) throw new Error(`the container exited before ${url} answered 200`);
    const status = await fetch(url).then((r) => r.status, () => 0);
    if (status === 200) return;
    await sleep(500);
  }
  throw new Error(`${url} did not answer 200 within ${ms / 1000} s`);
}

/** Uploads a file as a task; returns its id. */
export async function submit(base: string, file: string): Promise<string> {
  const form = new FormData();
  form.append('file', new Blob([readFileSync(file)]), path.basename(file));
  const res = await fetch(`${base}/tasks`, { method: 'POST', body: form });
  const body = (await res.json()) as { identifier?: string };
  if (res.status !== 202 || !body.identifier) throw new Error(`POST /tasks answered ${res.status}: ${JSON.stringify(body)}`);
  return body.identifier;
}

/** Polls a task's progress until its status is one of `until`; returns that status. */
export async function waitStatus(base: string, id: string, until: string[], ms: number): Promise<string> {
  const deadline = Date.now() + ms;
  for (;;) {
    const body = (await (await fetch(`${base}/tasks/${id}/progress`)).json()) as { status: string; error: unknown };
    if (until.includes(body.status)) return body.status;
    if (['failed', 'cancelled'].includes(body.status)) throw new Error(`task ${id} ended ${body.status}: ${JSON.stringify(body.error)}`);
    if (Date.now() > deadline) throw new Error(`task ${id} still ${body.status} after ${ms / 1000} s`);
    await sleep(500);
  }
}
