import koffi from 'koffi';

// Struct and callback types of whisper.h v1.9.1, member for member in header order: koffi lays
// them out with the platform C ABI, and test/engine/layout.test.ts checks every offset against
// the C compiler. Types are anonymous so that loading this module twice registers nothing global.

/** enum whisper_alignment_heads_preset, in header order. */
export const AHEADS_PRESET = {
  NONE: 0, N_TOP_MOST: 1, CUSTOM: 2, TINY_EN: 3, TINY: 4, BASE_EN: 5, BASE: 6, SMALL_EN: 7, SMALL: 8,
  MEDIUM_EN: 9, MEDIUM: 10, LARGE_V1: 11, LARGE_V2: 12, LARGE_V3: 13, LARGE_V3_TURBO: 14,
} as const;

/** enum whisper_sampling_strategy. */
export const SAMPLING = { GREEDY: 0, BEAM_SEARCH: 1 } as const;

/** enum ggml_log_level. */
export const LOG_LEVEL = { NONE: 0, DEBUG: 1, INFO: 2, WARN: 3, ERROR: 4, CONT: 5 } as const;

/** struct whisper_ahead. */
export const WhisperAhead = koffi.struct({ n_text_layer: 'int', n_head: 'int' });

/** struct whisper_aheads. */
export const WhisperAheads = koffi.struct({ n_heads: 'size_t', heads: 'void *' });

/** struct whisper_context_params. */
export const ContextParams = koffi.struct({
  use_gpu: 'bool',
  flash_attn: 'bool',
  gpu_device: 'int',
  dtw_token_timestamps: 'bool',
  dtw_aheads_preset: 'int',
  dtw_n_top: 'int',
  dtw_aheads: WhisperAheads,
  dtw_mem_size: 'size_t',
});

/** struct whisper_token_data. */
export const TokenData = koffi.struct({
  id: 'int32_t',
  tid: 'int32_t',
  p: 'float',
  plog: 'float',
  pt: 'float',
  ptsum: 'float',
  t0: 'int64_t',
  t1: 'int64_t',
  t_dtw: 'int64_t',
  vlen: 'float',
});

/** struct whisper_vad_params. */
export const VadParams = koffi.struct({
  threshold: 'float',
  min_speech_duration_ms: 'int',
  min_silence_duration_ms: 'int',
  max_speech_duration_s: 'float',
  speech_pad_ms: 'int',
  samples_overlap: 'float',
});

/** struct whisper_vad_context_params. */
export const VadContextParams = koffi.struct({ n_threads: 'int', use_gpu: 'bool', gpu_device: 'int' });

/** whisper_new_segment_callback. */
export const NewSegmentCallback = koffi.proto('void', ['void *', 'void *', 'int', 'void *']);
/** whisper_progress_callback. */
export const ProgressCallback = koffi.proto('void', ['void *', 'void *', 'int', 'void *']);
/** whisper_encoder_begin_callback. */
export const EncoderBeginCallback = koffi.proto('bool', ['void *', 'void *', 'void *']);
/** ggml_abort_callback. */
export const AbortCallback = koffi.proto('bool', ['void *']);
/** whisper_logits_filter_callback. */
export const LogitsFilterCallback = koffi.proto('void', ['void *', 'void *', 'void *', 'int', 'void *', 'void *']);
/** ggml_log_callback. */
export const LogCallback = koffi.proto('void', ['int', 'const char *', 'void *']);

/** struct whisper_full_params. */
export const FullParams = koffi.struct({
  strategy: 'int',
  n_threads: 'int',
  n_max_text_ctx: 'int',
  offset_ms: 'int',
  duration_ms: 'int',
  translate: 'bool',
  no_context: 'bool',
  no_timestamps: 'bool',
  single_segment: 'bool',
  print_special: 'bool',
  print_progress: 'bool',
  print_realtime: 'bool',
  print_timestamps: 'bool',
  token_timestamps: 'bool',
  thold_pt: 'float',
  thold_ptsum: 'float',
  max_len: 'int',
  split_on_word: 'bool',
  max_tokens: 'int',
  debug_mode: 'bool',
  audio_ctx: 'int',
  tdrz_enable: 'bool',
  suppress_regex: 'const char *',
  initial_prompt: 'const char *',
  carry_initial_prompt: 'bool',
  prompt_tokens: 'void *',
  prompt_n_tokens: 'int',
  language: 'const char *',
  detect_language: 'bool',
  suppress_blank: 'bool',
  suppress_nst: 'bool',
  temperature: 'float',
  max_initial_ts: 'float',
  length_penalty: 'float',
  temperature_inc: 'float',
  entropy_thold: 'float',
  logprob_thold: 'float',
  no_speech_thold: 'float',
  greedy: koffi.struct({ best_of: 'int' }),
  beam_search: koffi.struct({ beam_size: 'int', patience: 'float' }),
  new_segment_callback: koffi.pointer(NewSegmentCallback),
  new_segment_callback_user_data: 'void *',
  progress_callback: koffi.pointer(ProgressCallback),
  progress_callback_user_data: 'void *',
  encoder_begin_callback: koffi.pointer(EncoderBeginCallback),
  encoder_begin_callback_user_data: 'void *',
  abort_callback: koffi.pointer(AbortCallback),
  abort_callback_user_data: 'void *',
  logits_filter_callback: koffi.pointer(LogitsFilterCallback),
  logits_filter_callback_user_data: 'void *',
  grammar_rules: 'void *',
  n_grammar_rules: 'size_t',
  i_start_rule: 'size_t',
  grammar_penalty: 'float',
  vad: 'bool',
  vad_model_path: 'const char *',
  vad_params: VadParams,
});
