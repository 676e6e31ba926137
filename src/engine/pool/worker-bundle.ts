import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

/** Where to bundle what: the TypeScript entry, the output file, the folder input paths are relative to. */
export interface WorkerBundleOptions {
  source: string;
  outFile: string;
  root: string;
  /** Packages left as imports (native addons cannot be bundled). */
  external: readonly string[];
  /** Files (relative to root) that change the build without being read as modules: the lock file, tsconfig.json. */
  alsoDependsOn?: readonly string[];
}

/** The bundle to fork, or why there is none (then the caller forks the source under tsx). */
export type BundleOutcome = { ok: true; entry: string; built: boolean } | { ok: false; reason: string };

// Written next to the bundle: the sha256 of every file esbuild read, of the bundle itself, and of the
// recipe. Content hashes, not mtimes: a checkout or copy can give an edited file an older mtime.
interface Manifest {
  recipe: string;
  output: string;
  inputs: Record<string, string>;
}

interface EsbuildMeta {
  inputs: Record<string, unknown>;
}
interface Esbuild {
  version: string;
  buildSync(options: Record<string, unknown>): { metafile?: EsbuildMeta };
}

const sha256 = (file: string) => createHash('sha256').update(readFileSync(file)).digest('hex');

function readManifest(file: string): Manifest | null {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as Manifest;
  } catch {
    return null; // absent or half-written: rebuild
  }
}

/** True when the bundle on disk was built by this recipe from exactly the sources there now. */
function isFresh(options: WorkerBundleOptions, manifest: Manifest | null, recipe: string): boolean {
  if (!manifest || manifest.recipe !== recipe || !existsSync(options.outFile)) return false;
  if (sha256(options.outFile) !== manifest.output) return false;
  for (const [input, hash] of Object.entries(manifest.inputs)) {
    const file = path.resolve(options.root, input);
    // A removed input means the import graph changed: the source that imported it changed too.
    if (!existsSync(file) || sha256(file) !== hash) return false;
  }
  return true;
}

/**
 * Returns a single-file ESM bundle of `source`, rebuilding it first when any file it was built from
 * changed, so a stale bundle never runs. Checked on every call (hashing ~40 files takes a few ms), and
 * written to temporary names then renamed, so concurrent processes never fork a half-written file.
 */
export function freshWorkerBundle(options: WorkerBundleOptions): BundleOutcome {
  let esbuild: Esbuild;
  try {
    esbuild = createRequire(import.meta.url)('esbuild') as Esbuild;
  } catch (error) {
    return { ok: false, reason: `esbuild is not installed (${(error as Error).message.split('\n')[0]})` };
  }
  const buildOptions = {
    entryPoints: [options.source],
    outfile: options.outFile,
    absWorkingDir: options.root,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    external: [...options.external],
    logLevel: 'silent',
  };
  const recipe = JSON.stringify([esbuild.version, buildOptions]);
  const manifestFile = `${options.outFile}.json`;
  if (isFresh(options, readManifest(manifestFile), recipe)) return { ok: true, entry: options.outFile, built: false };

  const tmp = `${options.outFile}.${process.pid}.tmp`;
  try {
    mkdirSync(path.dirname(options.outFile), { recursive: true });
    const result = esbuild.buildSync({ ...buildOptions, outfile: tmp, metafile: true });
    const read = [...Object.keys(result.metafile?.inputs ?? {}), ...(options.alsoDependsOn ?? []).filter((f) => existsSync(path.resolve(options.root, f)))];
    const inputs = Object.fromEntries(read.map((input) => [input, sha256(path.resolve(options.root, input))]));
    const manifest: Manifest = { recipe, output: sha256(tmp), inputs };
    writeFileSync(`${tmp}.json`, JSON.stringify(manifest, null, 1));
    // Bundle first, manifest second: a reader in between sees a hash mismatch and rebuilds.
    renameSync(tmp, options.outFile);
    renameSync(`${tmp}.json`, manifestFile);
    return { ok: true, entry: options.outFile, built: true };
  } catch (error) {
    rmSync(tmp, { force: true });
    rmSync(`${tmp}.json`, { force: true });
    return { ok: false, reason: `bundling ${options.source} failed: ${(error as Error).message}` };
  }
}
