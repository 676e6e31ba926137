import { existsSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import koffi from 'koffi';
import type { LibraryHandle } from 'koffi';
import { packageRoot } from '../package-root.ts';

/** The repository root, found from this file so the loader works from any working directory (and bundled). */
const REPO_ROOT = packageRoot(path.dirname(fileURLToPath(import.meta.url)));
const LIB_NAME = 'libwhisper.so';

/** A loaded libwhisper and the file it came from. */
export interface WhisperLibrary {
  path: string;
  handle: LibraryHandle;
  /** How ggml's CPU backend came to be: linked into the library, or loaded at run time (runtime dispatch). */
  cpuBackend: 'linked' | 'loaded';
}

/** Thrown when a runtime-dispatch build (GGML_BACKEND_DL) has no CPU backend module this CPU can run. */
export class CpuBackendError extends Error {
  constructor(dir: string) {
    super(
      `whisper.cpp's library in ${dir} was built with runtime CPU dispatch, but none of its CPU backends ` +
        '(libggml-cpu-*.so) could be loaded on this machine. Rebuild with `npm run setup` (or set WHISPER_CPU_BASELINE=generic for native/build.sh).',
    );
    this.name = 'CpuBackendError';
  }
}

/** Per library folder: ggml's backends are process-wide, so a second loader of the same library finds them loaded. */
const cpuBackends = new Map<string, WhisperLibrary['cpuBackend']>();

/**
 * Makes sure ggml has its CPU backend. A build with one CPU backend links it in. A runtime-dispatch build
 * (native/build.sh's default on x86-64) ships one module per instruction-set level beside the library, and
 * ggml looks for them beside the executable (node) unless told where: load the best one from `dir`, as
 * whisper.cpp's own tools do from theirs. The JS thread does this once, before any model is loaded.
 */
function ensureCpuBackend(dir: string): WhisperLibrary['cpuBackend'] {
  const known = cpuBackends.get(dir);
  if (known) return known;
  const ggmlFile = path.join(dir, 'libggml.so');
  // A libwhisper without its ggml beside it (a system install): whisper.cpp reports a missing backend itself.
  if (!existsSync(ggmlFile)) return 'linked';
  const ggml = koffi.load(ggmlFile); // the copy libwhisper already uses (same file): no second ggml
  const regByName = ggml.func('void *ggml_backend_reg_by_name(const char *name)') as (name: string) => unknown;
  let how: WhisperLibrary['cpuBackend'] = 'linked';
  if (regByName('CPU') === null) {
    ggml.func('void ggml_backend_load_all_from_path(const char *dir)')(dir);
    if (regByName('CPU') === null) throw new CpuBackendError(dir);
    how = 'loaded';
  }
  cpuBackends.set(dir, how);
  return how;
}

/** Thrown when no libwhisper could be loaded; the message lists every path tried and the fix. */
export class WhisperLibraryError extends Error {
  readonly tried: string[];
  constructor(tried: string[], reasons: string[]) {
    super(
      'Could not load the whisper.cpp library (libwhisper.so). Tried:\n' +
        tried.map((p, i) => `  - ${p}: ${reasons[i] ?? 'not found'}`).join('\n') +
        '\nRun `npm run setup` to build it, or set WHISPER_LIB_PATH to libwhisper.so (or the folder holding it).',
    );
    this.name = 'WhisperLibraryError';
    this.tried = tried;
  }
}

/** The paths searched, in order: WHISPER_LIB_PATH (file or folder), then the CUDA and CPU builds. */
export function libraryCandidates(override: string | undefined, root = REPO_ROOT): string[] {
  const candidates: string[] = [];
  if (override) {
    const resolved = path.resolve(override);
    const isDir = existsSync(resolved) && statSync(resolved).isDirectory();
    candidates.push(isDir ? path.join(resolved, LIB_NAME) : resolved);
  }
  candidates.push(path.join(root, 'native/build/cuda/lib', LIB_NAME), path.join(root, 'native/build/cpu/lib', LIB_NAME));
  return candidates;
}

/** Creates a loader that opens libwhisper on first use and returns the same handle afterwards. */
export function createLibraryLoader(options: { override?: string; root?: string } = {}): () => WhisperLibrary {
  let loaded: WhisperLibrary | null = null;
  return () => {
    if (loaded) return loaded;
    const tried = libraryCandidates(options.override ?? process.env.WHISPER_LIB_PATH, options.root);
    const reasons: string[] = [];
    for (const candidate of tried) {
      if (!existsSync(candidate)) {
        reasons.push('not found');
        continue;
      }
      let handle: LibraryHandle;
      try {
        handle = koffi.load(candidate);
      } catch (err) {
        // A CUDA build on a machine without the CUDA runtime fails here; the CPU build is next.
        reasons.push(err instanceof Error ? err.message.split('\n')[0]! : String(err));
        continue;
      }
      // Not a reason to try the next candidate: this library's ggml is loaded now, and another would mix with it.
      loaded = { path: candidate, handle, cpuBackend: ensureCpuBackend(path.dirname(candidate)) };
      return loaded;
    }
    throw new WhisperLibraryError(tried, reasons);
  };
}
