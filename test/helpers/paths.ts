import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** Repository root. */
export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
/** ../shared beside the checkout (CI puts it there). */
export const SHARED_DIR = process.env.SHARED_DIR ?? path.resolve(ROOT, '../shared');
export const SHARED_MODELS = path.join(SHARED_DIR, 'models');
export const JFK_WAV = path.join(SHARED_DIR, 'audio/jfk.wav');
export const JFK_MP3 = path.join(SHARED_DIR, 'audio/jfk.mp3');
export const SILERO_VAD = path.join(SHARED_MODELS, 'for-tests-silero-v6.2.0-ggml.bin');
export const FOR_TESTS_TINY_EN = path.join(SHARED_MODELS, 'for-tests-ggml-tiny.en.bin');
/** Generated artefacts for tests (git-ignored): random-weight models, media fixtures. */
export const CACHE_DIR = path.join(ROOT, 'test/.cache');
/** The pseudo-random-weight tiny.en model made by scripts/make-test-model.ts during `npm test` set-up. */
export const TINY_EN_RANDOM = path.join(CACHE_DIR, 'models/ggml-tiny.en-random.bin');
/** The multilingual tiny model with random weights. */
export const TINY_RANDOM = path.join(CACHE_DIR, 'models/ggml-tiny-random.bin');
/** The CPU build of libwhisper made by native/build.sh. */
export const NATIVE_LIB = path.join(ROOT, 'native/build/cpu/lib/libwhisper.so');

/** Throws a clear error when a prerequisite of a test is missing (set-up was not run). */
export function requireFile(file: string, hint = 'run `npm test`, which prepares it'): string {
  if (!existsSync(file)) throw new Error(`missing ${file}: ${hint}`);
  return file;
}
