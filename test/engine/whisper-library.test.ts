import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { createLibraryLoader, libraryCandidates, WhisperLibraryError } from '../../src/engine/native/whisper-library.ts';
import { NATIVE_LIB, ROOT, requireFile } from '../helpers/paths.ts';
import { tempDir } from '../helpers/temp-dir.ts';

describe('createLibraryLoader', () => {
  it('searches WHISPER_LIB_PATH (file or folder), then the CUDA and CPU builds', () => {
    const dir = tempDir('whisper-lib-');
    expect(libraryCandidates(dir, '/repo')).toEqual([
      path.join(dir, 'libwhisper.so'), '/repo/native/build/cuda/lib/libwhisper.so', '/repo/native/build/cpu/lib/libwhisper.so',
    ]);
    expect(libraryCandidates('/opt/x/libwhisper.so.1', '/repo')[0]).toBe('/opt/x/libwhisper.so.1');
    expect(libraryCandidates(undefined, '/repo')).toHaveLength(2);
  });

  it('loads the built library once and returns the same handle', () => {
    const load = createLibraryLoader({ override: requireFile(NATIVE_LIB), root: ROOT });
    const first = load();
    expect(first.path).toBe(NATIVE_LIB);
    expect(load()).toBe(first);
  });

  it('throws one error naming every path tried and the fix', () => {
    const root = tempDir('no-native-');
    const load = createLibraryLoader({ override: path.join(root, 'nope.so'), root });
    let error: unknown;
    try {
      load();
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(WhisperLibraryError);
    const message = (error as Error).message;
    expect(message).toContain(path.join(root, 'nope.so'));
    expect(message).toContain(path.join(root, 'native/build/cpu/lib/libwhisper.so'));
    expect(message).toMatch(/npm run setup/);
    expect(message).toMatch(/WHISPER_LIB_PATH/);
  });
});
