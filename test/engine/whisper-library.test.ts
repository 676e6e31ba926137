import { spawnSync } from 'node:child_process';
import { copyFileSync, lstatSync, readdirSync, readFileSync, readlinkSync, symlinkSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { createLibraryLoader, libraryCandidates, WhisperLibraryError } from '../../src/engine/native/whisper-library.ts';
import { createWhisperEngine } from '../../src/engine/worker/whisper-engine.ts';
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

  // native/build.sh's default on x86-64 is ggml's runtime CPU dispatch: no CPU backend is linked in.
  const dispatchBuild = readdirSync(path.dirname(NATIVE_LIB)).some((f) => /^libggml-cpu-.+\.so$/.test(f));

  it('loads the CPU backend for this CPU from the library folder when the build dispatches at run time', () => {
    const lib = createLibraryLoader({ override: requireFile(NATIVE_LIB), root: ROOT })();
    expect(lib.cpuBackend).toBe(dispatchBuild ? 'loaded' : 'linked');
    // The instruction sets the backend in use was built for: the best this CPU has, not the x86-64 floor.
    const info = createWhisperEngine({ library: () => lib }).systemInfo();
    const flags = new Set(/^flags\s*:(.*)$/m.exec(readFileSync('/proc/cpuinfo', 'utf8'))?.[1]?.trim().split(/\s+/) ?? []);
    if (dispatchBuild && flags.has('avx2')) expect(info).toMatch(/AVX2 = 1/);
    if (dispatchBuild && flags.has('avx512f')) expect(info).toMatch(/AVX512 = 1/);
    expect(info).toMatch(/CPU :/);
  });

  it.runIf(dispatchBuild)('says which folder lacks a CPU backend when a dispatch build has none this CPU runs', () => {
    // The library and ggml without their CPU modules, opened in a fresh process.
    const dir = tempDir('no-cpu-backend-');
    const libDir = path.dirname(NATIVE_LIB);
    for (const f of readdirSync(libDir)) {
      if (!/^lib(whisper|ggml|ggml-base)\.so(\.\d+)*$/.test(f)) continue;
      const from = path.join(libDir, f);
      // Links stay links (libggml.so → libggml.so.0 → the file), so the folder holds one ggml, as a build does.
      if (lstatSync(from).isSymbolicLink()) symlinkSync(readlinkSync(from), path.join(dir, f));
      else copyFileSync(from, path.join(dir, f));
    }
    const run = spawnSync(process.execPath, ['--import', 'tsx', path.join(ROOT, 'test/engine/load-library-child.ts'), dir], { cwd: ROOT, encoding: 'utf8', timeout: 60_000 });
    const result = JSON.parse(run.stdout.trim().split('\n').at(-1)!) as { ok: boolean; name?: string; message?: string };
    expect(result).toMatchObject({ ok: false, name: 'CpuBackendError' });
    expect(result.message).toContain(dir);
    expect(result.message).toMatch(/libggml-cpu-\*\.so/);
  });
});
