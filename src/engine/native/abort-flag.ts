import { existsSync } from 'node:fs';
import path from 'node:path';
import koffi from 'koffi';
import type { Ptr } from './native-types.ts';

/** The library native/build.sh compiles from native/abort-flag.c, next to libwhisper.so. */
export const ABORT_FLAG_LIB = 'libwhisper-tasks-abort.so';

/** A stop flag in native memory, and C callbacks that read it for whisper_full. */
export interface NativeAbortFlag {
  /** ggml_abort_callback and whisper_encoder_begin_callback; their user data is `flag`. */
  abort: Ptr;
  encoderBegin: Ptr;
  flag: Ptr;
  set(): void;
  clear(): void;
}

/**
 * Loads the abort-flag callbacks from the folder holding libwhisper; null when they are not there
 * (a library from elsewhere, or no C compiler at build time): the JS callbacks are then used.
 */
export function loadAbortFlag(libDir: string): NativeAbortFlag | null {
  const file = path.join(libDir, ABORT_FLAG_LIB);
  if (!existsSync(file)) return null;
  let lib: ReturnType<typeof koffi.load>;
  try {
    lib = koffi.load(file);
  } catch {
    return null; // built for another platform, say: the JS callbacks still work
  }
  // Made by C (malloc), never freed: one per engine, and koffi.alloc'd memory proved unsafe to keep.
  const flag = lib.func('void *whisper_tasks_flag_new(void)')() as Ptr | null;
  if (flag === null) return null;
  const setFlag = lib.func('void whisper_tasks_flag_set(void *flag, int value)');
  const write = (value: number) => setFlag(flag, value);
  return {
    abort: lib.symbol('whisper_tasks_should_abort') as Ptr,
    encoderBegin: lib.symbol('whisper_tasks_encoder_begin') as Ptr,
    flag,
    set: () => write(1),
    clear: () => write(0),
  };
}
