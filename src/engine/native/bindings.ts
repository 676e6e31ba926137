import koffi from 'koffi';
import type { LibraryHandle } from 'koffi';
import { ContextParams, FullParams, LogCallback, TokenData, VadContextParams, VadParams } from './bindings-structs.ts';
import type {
  NativeContextParams, NativeFullParams, NativeTokenData, NativeVadContextParams, NativeVadParams, Ptr,
} from './native-types.ts';

type KoffiType = Parameters<typeof koffi.sizeof>[0];

/** For each function of T: [result type, argument types], with as many arguments as T's signature has. */
type FfiTable<T> = {
  readonly [K in keyof T]: T[K] extends (...args: infer A) => unknown ? readonly [KoffiType, readonly KoffiType[] & { readonly length: A['length'] }] : never;
};

// The C functions of whisper.h v1.9.1 the service calls, as one declarative table:
// [name, result type, argument types]. Pointer results are bigint (or null) in koffi 3.
// `satisfies` ties it to WhisperBindings: a name missing on either side, or a different argument count, fails to compile.
const ctx = 'void *';
const TABLE = {
  whisper_print_system_info: ['const char *', []],
  whisper_log_set: ['void', [koffi.pointer(LogCallback), 'void *']],
  whisper_context_default_params_by_ref: [koffi.pointer(ContextParams), []],
  whisper_free_context_params: ['void', [koffi.pointer(ContextParams)]],
  whisper_free: ['void', [ctx]],
  // Per-task state: a context loaded without one, and a fresh state (decoder RNG seeded anew) per task.
  whisper_init_from_file_with_params_no_state: [ctx, ['const char *', ContextParams]],
  whisper_init_state: ['void *', [ctx]],
  whisper_free_state: ['void', ['void *']],
  whisper_full_with_state: ['int', [ctx, 'void *', FullParams, 'float *', 'int']],
  whisper_pcm_to_mel_with_state: ['int', [ctx, 'void *', 'float *', 'int', 'int']],
  whisper_lang_auto_detect_with_state: ['int', [ctx, 'void *', 'int', 'int', 'float *']],
  whisper_full_n_segments_from_state: ['int', ['void *']],
  whisper_full_get_segment_t0_from_state: ['int64_t', ['void *', 'int']],
  whisper_full_get_segment_t1_from_state: ['int64_t', ['void *', 'int']],
  whisper_full_get_segment_text_from_state: ['const char *', ['void *', 'int']],
  whisper_full_get_segment_no_speech_prob_from_state: ['float', ['void *', 'int']],
  whisper_full_n_tokens_from_state: ['int', ['void *', 'int']],
  whisper_full_get_token_data_from_state: [TokenData, ['void *', 'int', 'int']],
  whisper_full_default_params_by_ref: [koffi.pointer(FullParams), ['int']],
  whisper_free_params: ['void', [koffi.pointer(FullParams)]],
  whisper_lang_max_id: ['int', []],
  whisper_lang_id: ['int', ['const char *']],
  whisper_lang_str: ['const char *', ['int']],
  whisper_is_multilingual: ['int', [ctx]],
  whisper_model_type_readable: ['const char *', [ctx]],
  whisper_token_eot: ['int32_t', [ctx]],
  // Raw pointer: a token may hold part of a UTF-8 character, which a JS string would lose.
  whisper_token_to_str: ['void *', [ctx, 'int32_t']],
  whisper_vad_default_params: [VadParams, []],
  whisper_vad_default_context_params: [VadContextParams, []],
  whisper_vad_init_from_file_with_params: [ctx, ['const char *', VadContextParams]],
  whisper_vad_segments_from_samples: ['void *', [ctx, VadParams, 'float *', 'int']],
  whisper_vad_segments_n_segments: ['int', ['void *']],
  whisper_vad_segments_get_segment_t0: ['float', ['void *', 'int']],
  whisper_vad_segments_get_segment_t1: ['float', ['void *', 'int']],
  whisper_vad_free_segments: ['void', ['void *']],
  whisper_vad_free: ['void', [ctx]],
} as const satisfies FfiTable<WhisperBindings>;

/** The typed surface of libwhisper that the engine uses (times in centiseconds, as whisper.cpp reports). */
export interface WhisperBindings {
  whisper_print_system_info(): string;
  whisper_log_set(callback: Ptr | null, userData: Ptr | null): void;
  whisper_context_default_params_by_ref(): Ptr;
  whisper_free_context_params(params: Ptr): void;
  whisper_free(ctx: Ptr): void;
  whisper_init_from_file_with_params_no_state(path: string, params: NativeContextParams): Ptr | null;
  whisper_init_state(ctx: Ptr): Ptr | null;
  whisper_free_state(state: Ptr): void;
  whisper_full_with_state(ctx: Ptr, state: Ptr, params: NativeFullParams, samples: Float32Array, nSamples: number): number;
  whisper_pcm_to_mel_with_state(ctx: Ptr, state: Ptr, samples: Float32Array, nSamples: number, nThreads: number): number;
  whisper_lang_auto_detect_with_state(ctx: Ptr, state: Ptr, offsetMs: number, nThreads: number, probs: Float32Array): number;
  whisper_full_n_segments_from_state(state: Ptr): number;
  whisper_full_get_segment_t0_from_state(state: Ptr, i: number): number;
  whisper_full_get_segment_t1_from_state(state: Ptr, i: number): number;
  whisper_full_get_segment_text_from_state(state: Ptr, i: number): string;
  whisper_full_get_segment_no_speech_prob_from_state(state: Ptr, i: number): number;
  whisper_full_n_tokens_from_state(state: Ptr, i: number): number;
  whisper_full_get_token_data_from_state(state: Ptr, i: number, j: number): NativeTokenData;
  whisper_full_default_params_by_ref(strategy: number): Ptr;
  whisper_free_params(params: Ptr): void;
  whisper_lang_max_id(): number;
  whisper_lang_id(lang: string): number;
  whisper_lang_str(id: number): string | null;
  whisper_is_multilingual(ctx: Ptr): number;
  whisper_model_type_readable(ctx: Ptr): string;
  whisper_token_eot(ctx: Ptr): number;
  whisper_token_to_str(ctx: Ptr, token: number): Ptr | null;
  whisper_vad_default_params(): NativeVadParams;
  whisper_vad_default_context_params(): NativeVadContextParams;
  whisper_vad_init_from_file_with_params(path: string, params: NativeVadContextParams): Ptr | null;
  whisper_vad_segments_from_samples(vctx: Ptr, params: NativeVadParams, samples: Float32Array, n: number): Ptr | null;
  whisper_vad_segments_n_segments(segments: Ptr): number;
  whisper_vad_segments_get_segment_t0(segments: Ptr, i: number): number;
  whisper_vad_segments_get_segment_t1(segments: Ptr, i: number): number;
  whisper_vad_free_segments(segments: Ptr): void;
  whisper_vad_free(vctx: Ptr): void;
}

// The long-running calls, also run on koffi's thread pool so the JS thread stays free for IPC;
// callbacks they trigger are then queued back to the JS thread, which must not block meanwhile.
const ASYNC = [
  'whisper_init_from_file_with_params_no_state', 'whisper_init_state', 'whisper_full_with_state',
  'whisper_pcm_to_mel_with_state', 'whisper_lang_auto_detect_with_state',
  'whisper_vad_init_from_file_with_params', 'whisper_vad_segments_from_samples',
] as const;
type AsyncName = (typeof ASYNC)[number];

/** Promise-returning versions of the long-running calls. */
export type AsyncWhisperBindings = {
  [K in AsyncName]: (...args: Parameters<WhisperBindings[K]>) => Promise<ReturnType<WhisperBindings[K]>>;
};

/** The synchronous table plus `async` variants of the calls that take long. */
export type BoundWhisper = WhisperBindings & {
  async: AsyncWhisperBindings;
  /** How many async calls are running on koffi's thread pool now (a clean process exit would wait for them). */
  inFlight(): number;
};

type KoffiFn = ReturnType<LibraryHandle['func']>;

/** Binds every function of the table from a loaded libwhisper; a missing symbol throws at once. */
export function bindWhisper(lib: LibraryHandle): BoundWhisper {
  const fns = new Map<string, KoffiFn>();
  for (const [name, [result, args]] of Object.entries(TABLE)) fns.set(name, lib.func(name, result, [...args]));
  const asyncFns: Record<string, unknown> = {};
  let inFlight = 0;
  for (const name of ASYNC) {
    const fn = fns.get(name)!;
    asyncFns[name] = (...args: unknown[]) => new Promise((resolve, reject) => {
      inFlight += 1;
      fn.async(...args, (err: unknown, value: unknown) => {
        inFlight -= 1;
        if (err) reject(err);
        else resolve(value);
      });
    });
  }
  return Object.assign(Object.fromEntries(fns), { async: asyncFns, inFlight: () => inFlight }) as unknown as BoundWhisper;
}

/** Decodes a full-params struct returned by pointer (the _by_ref defaults) and frees the native copy. */
export function fullParamsFromRef(api: WhisperBindings, strategy: number): NativeFullParams {
  const ref = api.whisper_full_default_params_by_ref(strategy);
  try {
    return koffi.decode(ref, FullParams) as NativeFullParams;
  } finally {
    api.whisper_free_params(ref);
  }
}

/** Decodes the context-params defaults returned by pointer and frees the native copy. */
export function contextParamsFromRef(api: WhisperBindings): NativeContextParams {
  const ref = api.whisper_context_default_params_by_ref();
  try {
    return koffi.decode(ref, ContextParams) as NativeContextParams;
  } finally {
    api.whisper_free_context_params(ref);
  }
}
