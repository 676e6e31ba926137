// The JS shapes koffi decodes the whisper.h structs to (see bindings-structs.ts for the layouts).

/** A native pointer: koffi 3 represents pointers as bigint. */
export type Ptr = bigint;

/** struct whisper_aheads as JS. */
export interface NativeAheads {
  n_heads: number;
  heads: Ptr | null;
}

/** struct whisper_context_params as JS. */
export interface NativeContextParams {
  use_gpu: boolean;
  flash_attn: boolean;
  gpu_device: number;
  dtw_token_timestamps: boolean;
  dtw_aheads_preset: number;
  dtw_n_top: number;
  dtw_aheads: NativeAheads;
  dtw_mem_size: number;
}

/** struct whisper_token_data as JS (t0, t1, t_dtw in centiseconds). */
export interface NativeTokenData {
  id: number;
  tid: number;
  p: number;
  plog: number;
  pt: number;
  ptsum: number;
  t0: number;
  t1: number;
  t_dtw: number;
  vlen: number;
}

/** struct whisper_vad_params as JS. */
export interface NativeVadParams {
  threshold: number;
  min_speech_duration_ms: number;
  min_silence_duration_ms: number;
  max_speech_duration_s: number;
  speech_pad_ms: number;
  samples_overlap: number;
}

/** struct whisper_vad_context_params as JS. */
export interface NativeVadContextParams {
  n_threads: number;
  use_gpu: boolean;
  gpu_device: number;
}

/** struct whisper_full_params as JS; callbacks are registered-callback pointers or null. */
export interface NativeFullParams {
  strategy: number;
  n_threads: number;
  n_max_text_ctx: number;
  offset_ms: number;
  duration_ms: number;
  translate: boolean;
  no_context: boolean;
  no_timestamps: boolean;
  single_segment: boolean;
  print_special: boolean;
  print_progress: boolean;
  print_realtime: boolean;
  print_timestamps: boolean;
  token_timestamps: boolean;
  thold_pt: number;
  thold_ptsum: number;
  max_len: number;
  split_on_word: boolean;
  max_tokens: number;
  debug_mode: boolean;
  audio_ctx: number;
  tdrz_enable: boolean;
  suppress_regex: string | null;
  initial_prompt: string | null;
  carry_initial_prompt: boolean;
  prompt_tokens: Ptr | null;
  prompt_n_tokens: number;
  language: string | null;
  detect_language: boolean;
  suppress_blank: boolean;
  suppress_nst: boolean;
  temperature: number;
  max_initial_ts: number;
  length_penalty: number;
  temperature_inc: number;
  entropy_thold: number;
  logprob_thold: number;
  no_speech_thold: number;
  greedy: { best_of: number };
  beam_search: { beam_size: number; patience: number };
  new_segment_callback: Ptr | null;
  new_segment_callback_user_data: Ptr | null;
  progress_callback: Ptr | null;
  progress_callback_user_data: Ptr | null;
  encoder_begin_callback: Ptr | null;
  encoder_begin_callback_user_data: Ptr | null;
  abort_callback: Ptr | null;
  abort_callback_user_data: Ptr | null;
  logits_filter_callback: Ptr | null;
  logits_filter_callback_user_data: Ptr | null;
  grammar_rules: Ptr | null;
  n_grammar_rules: number;
  i_start_rule: number;
  grammar_penalty: number;
  vad: boolean;
  vad_model_path: string | null;
  vad_params: NativeVadParams;
}
