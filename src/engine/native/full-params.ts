import type { TaskParams } from '../../contract/task-params.ts';
import type { NativeFullParams, Ptr } from './native-types.ts';

/** The per-call settings on top of whisper.cpp's greedy defaults. */
export interface CallSettings {
  threads: number;
  /** The language to decode in (already resolved: never 'auto'). */
  language: string;
  translate: boolean;
  /** Text given to the decoder as previous context (the user's prompt, or the last chunk's tail). */
  prompt: string | null;
  params: TaskParams;
  callbacks: { newSegment: Ptr; progress: Ptr; encoderBegin: Ptr; abort: Ptr; userData: Ptr | null };
}

/**
 * Fills whisper_full_params from the library's greedy defaults the way whisper-cli does with
 * `-bs 1` (greedy, best_of 5, temperature fallback +0.2, entropy 2.4, logprob -1, no-speech 0.6),
 * so a benchmark against whisper-cli compares like with like.
 */
export function buildFullParams(defaults: NativeFullParams, s: CallSettings): NativeFullParams {
  return {
    ...defaults,
    n_threads: s.threads,
    translate: s.translate,
    language: s.language,
    detect_language: false,
    // whisper.cpp prints progress and results to stdout by default; ours go through callbacks.
    print_progress: false,
    print_realtime: false,
    print_timestamps: false,
    print_special: false,
    // whisper.cpp's own token timestamps: the fallback for words when DTW is off.
    token_timestamps: s.params.wordTimestamps,
    temperature: s.params.temperature,
    initial_prompt: s.prompt,
    // VAD runs before whisper_full (see vad.ts), so that token times can be mapped back too.
    vad: false,
    vad_model_path: null,
    new_segment_callback: s.callbacks.newSegment,
    progress_callback: s.callbacks.progress,
    encoder_begin_callback: s.callbacks.encoderBegin,
    encoder_begin_callback_user_data: s.callbacks.userData,
    abort_callback: s.callbacks.abort,
    abort_callback_user_data: s.callbacks.userData,
  };
}
