#!/usr/bin/env node
// Builds the web page (src/web) into web-dist/: index.html plus content-hashed assets under
// web-dist/assets/, which the server can cache forever. Run by scripts/setup.mjs when the output is
// missing or older than the sources; `--if-stale` makes it a no-op otherwise.
import { build } from 'esbuild';
import { mkdirSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const srcDir = path.join(root, 'src/web');
const outDir = path.join(root, 'web-dist');
const stamp = path.join(outDir, 'index.html');
// The page also bundles these shared modules; a change there must rebuild it too.
const contractDir = path.join(root, 'src/contract');
const extraSources = [...readdirSync(contractDir).map((f) => path.join(contractDir, f)), path.join(root, 'src/formats/languages.ts'), path.join(root, 'scripts/build-web.mjs')];

function newestSource() {
  const files = readdirSync(srcDir, { recursive: true }).map((f) => path.join(srcDir, String(f)));
  return Math.max(...[...files, ...extraSources].map((f) => statSync(f).mtimeMs));
}

function isStale() {
  try {
    return statSync(stamp).mtimeMs < newestSource();
  } catch (error) {
    if (error.code === 'ENOENT') return true;
    throw error;
  }
}

if (process.argv.includes('--if-stale') && !isStale()) process.exit(0);

const started = Date.now();
rmSync(outDir, { recursive: true, force: true });
mkdirSync(outDir, { recursive: true });
const result = await build({
  entryPoints: { app: path.join(srcDir, 'main.ts'), styles: path.join(srcDir, 'styles.css') },
  outdir: path.join(outDir, 'assets'),
  entryNames: '[name]-[hash]',
  bundle: true,
  format: 'esm',
  target: ['es2020', 'chrome100', 'firefox100', 'safari15'],
  minify: true,
  sourcemap: 'linked',
  metafile: true,
  logLevel: 'warning',
  legalComments: 'none',
});

// Point index.html at the hashed names esbuild chose.
const outputs = Object.entries(result.metafile.outputs);
const assetFor = (entry) => {
  const hit = outputs.find(([, o]) => o.entryPoint && path.resolve(root, o.entryPoint) === path.join(srcDir, entry));
  if (!hit) throw new Error(`build-web: esbuild produced no output for ${entry}`);
  return `/assets/${path.basename(hit[0])}`;
};
let html = readFileSync(path.join(srcDir, 'index.html'), 'utf8');
for (const [source, asset] of [['./main.ts', assetFor('main.ts')], ['./styles.css', assetFor('styles.css')]]) {
  if (!html.includes(`"${source}"`)) throw new Error(`build-web: index.html no longer refers to ${source}`);
  html = html.replace(`"${source}"`, `"${asset}"`);
}
writeFileSync(stamp, html);
const bytes = outputs.filter(([f]) => !f.endsWith('.map')).reduce((n, [, o]) => n + o.bytes, 0);
process.stderr.write(`build-web: web-dist/ built in ${Date.now() - started} ms (${(bytes / 1024).toFixed(1)} KiB of assets)\n`);
