#!/usr/bin/env node
// Idempotent set-up run by `npm start`, `npm test` and friends on a fresh clone:
// npm dependencies, the native whisper.cpp build, ffmpeg, and (with --test) test models.
// Plain Node with no dependencies, because it runs before `npm install`.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const args = new Set(process.argv.slice(2));
const forTests = args.has('--test');
const quiet = args.has('--quiet');
const log = (msg) => { if (!quiet) process.stderr.write(`setup: ${msg}\n`); };

function run(cmd, argv, opts = {}) {
  const r = spawnSync(cmd, argv, { cwd: root, stdio: quiet ? ['ignore', 'ignore', 'inherit'] : 'inherit', ...opts });
  if (r.status !== 0) {
    process.stderr.write(`setup: \`${cmd} ${argv.join(' ')}\` failed (exit ${r.status ?? r.signal})\n`);
    process.exit(1);
  }
}
const has = (cmd) => spawnSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' }).status === 0;

// 1. npm dependencies, reinstalled when package.json or the lock file changed.
const lock = path.join(root, 'package-lock.json');
// Only the dependency lists count: editing scripts must not trigger a reinstall.
const manifest = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8'));
const manifestHash = createHash('sha256')
  .update(JSON.stringify([manifest.dependencies, manifest.devDependencies]))
  .update(existsSync(lock) ? readFileSync(lock) : '')
  .digest('hex');
const stampFile = path.join(root, 'node_modules/.setup-stamp');
if (!existsSync(stampFile) || readFileSync(stampFile, 'utf8') !== manifestHash) {
  log('installing npm dependencies');
  run('npm', [existsSync(lock) ? 'ci' : 'install', '--no-audit', '--no-fund']);
  writeFileSync(stampFile, manifestHash);
}

// 1b. The web page (src/web -> web-dist/), rebuilt only when older than its sources.
run(process.execPath, [path.join(root, 'scripts/build-web.mjs'), '--if-stale']);

// 2. System tools: ffmpeg decodes everything that is not WAV; espeak-ng makes speech fixtures for tests.
// PostgreSQL: the task store and cluster tests start a private server (test/helpers/pg-cluster.ts).
const hasPostgres = () => has('initdb') || (existsSync('/usr/lib/postgresql') && readdirSync('/usr/lib/postgresql')
  .some((v) => existsSync(path.join('/usr/lib/postgresql', v, 'bin/initdb'))));
const wanted = [['ffmpeg', 'ffmpeg'], ...(forTests ? [['espeak-ng', 'espeak-ng'], [hasPostgres, 'postgresql']] : [])];
const missing = wanted.filter(([cmd]) => !(typeof cmd === 'function' ? cmd() : has(cmd))).map(([, pkg]) => pkg);
if (missing.length > 0) {
  if (process.getuid?.() === 0 && has('apt-get')) {
    log(`installing ${missing.join(', ')} with apt-get`);
    run('apt-get', ['update', '-q']);
    run('apt-get', ['install', '-y', '-q', '--no-install-recommends', ...missing], {
      env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
    });
  } else {
    log(`warning: ${missing.join(', ')} not found; install it (e.g. apt-get install ${missing.join(' ')}). ` +
      'Without ffmpeg only WAV input can be decoded.');
  }
}

// 3. The native library (native/build.sh skips itself when already built with the same options).
// With --test, whisper-cli too (the equivalence test compares against it): built here, before any test
// runs, no test has to rebuild the libraries under running workers (copying over a mapped .so is a SIGBUS).
if (!process.env.WHISPER_LIB_PATH) {
  run('bash', [path.join(root, 'native/build.sh')], forTests ? { env: { ...process.env, WHISPER_BUILD_CLI: '1' } } : {});
}

// 4. Test models generated from ../shared/models (pseudo-random weights, real shapes).
if (forTests) run(path.join(root, 'node_modules/.bin/tsx'), [path.join(root, 'scripts/make-test-model.ts'), '--if-missing']);
