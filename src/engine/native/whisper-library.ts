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
      try {
        loaded = { path: candidate, handle: koffi.load(candidate) };
        return loaded;
      } catch (err) {
        // A CUDA build on a machine without the CUDA runtime fails here; the CPU build is next.
        reasons.push(err instanceof Error ? err.message.split('\n')[0]! : String(err));
      }
    }
    throw new WhisperLibraryError(tried, reasons);
  };
}
