import koffi from 'koffi';
import type { LibraryHandle } from 'koffi';
import {
  AbortCallback, ContextParams, FullParams, LogCallback, TokenData, VadContextParams, VadParams,
} from './bindings-structs.ts';
import type {
  NativeContextParams, NativeFullParams, NativeTokenData, NativeVadContextParams, NativeVadParams, Ptr,
} from './native-types.ts';

// The C functions of whisper.h v1.9.1 the service calls, as one declarative table:
// [name, result type, argument types]. Pointer results are bigint (or null) in koffi 3.
const ctx = 'void *';
const TABLE = {
  whisper_version: ['const char *', []],
  whisper_print_system_info: ['const char *', []],
  whisper_log_set: ['void', [koffi.pointer(LogCallback), 'void *']],
  whisper_context_default_params: [ContextParams, []],
  whisper_context_default_params_by_ref: [koffi.pointer(ContextParams), []],
  whisper_free_context_params: ['void', [koffi.pointer(ContextParams)]],
  whisper_init_from_file_with_params: [ctx, ['const char *', ContextParams]],
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
  whisper_full_default_params: [FullParams, ['int']],
  whisper_full_default_params_by_ref: [koffi.pointer(FullParams), ['int']],
  whisper_free_params: ['void', [koffi.pointer(FullParams)]],
  whisper_full: ['int', [ctx, FullParams, 'float *', 'int']],
  whisper_pcm_to_mel: ['int', [ctx, 'float *', 'int', 'int']],
  whisper_lang_auto_detect: ['int', [ctx, 'int', 'int', 'float *']],
  whisper_full_n_segments: ['int', [ctx]],
  whisper_full_lang_id: ['int', [ctx]],
  whisper_full_get_segment_t0: ['int64_t', [ctx, 'int']],
  whisper_full_get_segment_t1: ['int64_t', [ctx, 'int']],
  whisper_full_get_segment_text: ['const char *', [ctx, 'int']],
  whisper_full_get_segment_no_speech_prob: ['float', [ctx, 'int']],
  whisper_full_get_segment_speaker_turn_next: ['bool', [ctx, 'int']],
  whisper_full_n_tokens: ['int', [ctx, 'int']],
  whisper_full_get_token_text: ['const char *', [ctx, 'int', 'int']],
  whisper_full_get_token_id: ['int32_t', [ctx, 'int', 'int']],
  whisper_full_get_token_p: ['float', [ctx, 'int', 'int']],
  whisper_full_get_token_data: [TokenData, [ctx, 'int', 'int']],
  whisper_lang_max_id: ['int', []],
  whisper_lang_id: ['int', ['const char *']],
  whisper_lang_str: ['const char *', ['int']],
  whisper_lang_str_full: ['const char *', ['int']],
  whisper_is_multilingual: ['int', [ctx]],
  whisper_n_vocab: ['int', [ctx]],
  whisper_model_n_vocab: ['int', [ctx]],
  whisper_model_n_text_layer: ['int', [ctx]],
  whisper_model_n_audio_layer: ['int', [ctx]],
  whisper_model_ftype: ['int', [ctx]],
  whisper_model_type: ['int', [ctx]],
  whisper_model_type_readable: ['const char *', [ctx]],
  whisper_token_eot: ['int32_t', [ctx]],
  whisper_token_beg: ['int32_t', [ctx]],
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
} as const;

/** The typed surface of libwhisper that the engine uses (times in centiseconds, as whisper.cpp reports). */
export interface WhisperBindings {
  whisper_version(): string;
  whisper_print_system_info(): string;
  whisper_log_set(callback: Ptr | null, userData: Ptr | null): void;
  whisper_context_default_params(): NativeContextParams;
  whisper_context_default_params_by_ref(): Ptr;
  whisper_free_context_params(params: Ptr): void;
  whisper_init_from_file_with_params(path: string, params: NativeContextParams): Ptr | null;
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
  whisper_full_default_params(strategy: number): NativeFullParams;
  whisper_full_default_params_by_ref(strategy: number): Ptr;
  whisper_free_params(params: Ptr): void;
  whisper_full(ctx: Ptr, params: NativeFullParams, samples: Float32Array, nSamples: number): number;
  whisper_pcm_to_mel(ctx: Ptr, samples: Float32Array, nSamples: number, nThreads: number): number;
  whisper_lang_auto_detect(ctx: Ptr, offsetMs: number, nThreads: number, probs: Float32Array): number;
  whisper_full_n_segments(ctx: Ptr): number;
  whisper_full_lang_id(ctx: Ptr): number;
  whisper_full_get_segment_t0(ctx: Ptr, i: number): number;
  whisper_full_get_segment_t1(ctx: Ptr, i: number): number;
  whisper_full_get_segment_text(ctx: Ptr, i: number): string;
  whisper_full_get_segment_no_speech_prob(ctx: Ptr, i: number): number;
  whisper_full_get_segment_speaker_turn_next(ctx: Ptr, i: number): boolean;
  whisper_full_n_tokens(ctx: Ptr, i: number): number;
  whisper_full_get_token_text(ctx: Ptr, i: number, j: number): string;
  whisper_full_get_token_id(ctx: Ptr, i: number, j: number): number;
  whisper_full_get_token_p(ctx: Ptr, i: number, j: number): number;
  whisper_full_get_token_data(ctx: Ptr, i: number, j: number): NativeTokenData;
  whisper_lang_max_id(): number;
  whisper_lang_id(lang: string): number;
  whisper_lang_str(id: number): string | null;
  whisper_lang_str_full(id: number): string | null;
  whisper_is_multilingual(ctx: Ptr): number;
  whisper_n_vocab(ctx: Ptr): number;
  whisper_model_n_vocab(ctx: Ptr): number;
  whisper_model_n_text_layer(ctx: Ptr): number;
  whisper_model_n_audio_layer(ctx: Ptr): number;
  whisper_model_ftype(ctx: Ptr): number;
  whisper_model_type(ctx: Ptr): number;
  whisper_model_type_readable(ctx: Ptr): string;
  whisper_token_eot(ctx: Ptr): number;
  whisper_token_beg(ctx: Ptr): number;
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
  'whisper_init_from_file_with_params', 'whisper_full', 'whisper_pcm_to_mel', 'whisper_lang_auto_detect',
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

/** The abort-callback type, for koffi.register. */
export const AbortCallbackPtr = koffi.pointer(AbortCallback);
