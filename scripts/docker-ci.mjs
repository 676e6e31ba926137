#!/usr/bin/env node
// Decides whether CI runs `npm run docker:verify`, which takes too long (a from-scratch image build) to run
// on every commit. It runs when what the image is built from has changed since the last passing run:
// a hash of the inputs below is compared with the one docker:verify recorded in test/packaging/docker-verified.json
// when it passed (commit that file with the change). Inputs: the Dockerfile and .dockerignore, native/,
// the package manifest's dependency fields and the lock file, the build configs, and the scripts the image
// or its verification use (the files the Dockerfile copies from scripts/, and scripts/docker-*).
//   node scripts/docker-ci.mjs needed   exit 0 (and say why) when docker:verify must run, 3 when it may be skipped
//                                       (any other status, a crash included, means: run it)
//   node scripts/docker-ci.mjs stamp SECONDS MB   record a passing run (docker-verify.ts calls it)
import { createHash } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const STAMP = path.join(root, 'test/packaging/docker-verified.json');

/** The files git tracks under the given paths (a fresh clone has exactly these; untracked work in progress does not count). */
function tracked(paths) {
  const r = spawnSync('git', ['ls-files', '-z', '--', ...paths], { cwd: root, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`git ls-files failed: ${r.stderr}`);
  return r.stdout.split('\0').filter((f) => f && existsSync(path.join(root, f)));
}

/** The inputs as a list of [path, sha256]; package.json counts only by the fields that change the image. */
function inputs() {
  const list = tracked(['Dockerfile', '.dockerignore', 'native', 'package-lock.json', 'tsconfig.json', 'tsconfig.build.json',
    'scripts/build-web.mjs', 'scripts/download-model.mjs', 'scripts/docker-*']).sort();
  const sha = (buf) => createHash('sha256').update(buf).digest('hex');
  const manifest = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8'));
  const pkg = JSON.stringify([manifest.type, manifest.engines, manifest.dependencies, manifest.devDependencies]);
  return [['package.json (type, engines, dependencies)', sha(pkg)], ...list.map((f) => [f, sha(readFileSync(path.join(root, f)))])];
}

const digest = (list) => createHash('sha256').update(JSON.stringify(list)).digest('hex');

const [command, ...rest] = process.argv.slice(2);
if (command === 'needed') {
  const now = inputs();
  const stamp = existsSync(STAMP) ? JSON.parse(readFileSync(STAMP, 'utf8')) : null;
  if (stamp?.inputs_sha256 === digest(now)) {
    console.log(`docker-ci: image inputs unchanged since docker:verify passed (${stamp.verified_at}); skipping it`);
    process.exit(3);
  }
  const before = new Map(stamp?.files ?? []);
  const changed = now.filter(([f, h]) => before.get(f) !== h).map(([f]) => f);
  console.log(`docker-ci: docker:verify needed: ${stamp ? `changed since it last passed: ${changed.join(', ')}` : 'it has never passed'}`);
  process.exit(0);
} else if (command === 'stamp') {
  const [seconds, mb] = rest.map(Number);
  const list = inputs();
  const record = { verified_at: new Date().toISOString(), seconds, image_mb: mb, inputs_sha256: digest(list), files: list };
  writeFileSync(STAMP, `${JSON.stringify(record, null, 1)}\n`);
  console.log(`docker-ci: recorded the passing run in ${path.relative(root, STAMP)}`);
} else {
  console.error('usage: node scripts/docker-ci.mjs needed | stamp SECONDS MB');
  process.exit(2);
}
