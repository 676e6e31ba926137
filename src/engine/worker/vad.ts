import { existsSync } from 'node:fs';
import { TaskFailure } from '../../tasks/errors.ts';
import type { BoundWhisper } from '../native/bindings.ts';
import type { Ptr } from '../native/native-types.ts';
import type { SpeechRegion } from './speech-map.ts';

/** Silero voice-activity detection through whisper.cpp's whisper_vad_* API. */
export interface Vad {
  /** Speech regions of 16 kHz mono audio, in seconds, in order. */
  detect(pcm: Float32Array): Promise<SpeechRegion[]>;
  close(): void;
}

/**
 * Creates a detector for the Silero model at `modelPath`; the model is loaded on first use, so a
 * server whose tasks never ask for VAD never needs the file. Uses whisper.cpp's default VAD
 * parameters (threshold 0.5, 250 ms minimum speech, 100 ms minimum silence, 30 ms padding).
 */
export function createVad(api: BoundWhisper, modelPath: string | undefined): Vad {
  let vctx: Ptr | null = null;
  const unavailable = (detail: string) =>
    new TaskFailure('PROCESSING_FAILED', detail, 'Voice activity detection is not available on this server (no usable VAD model is configured).');

  const context = async (): Promise<Ptr> => {
    if (vctx !== null) return vctx;
    if (!modelPath) throw unavailable('VAD was requested but no VAD model is configured (set WHISPER_VAD_MODEL)');
    if (!existsSync(modelPath)) throw unavailable(`VAD model not found: ${modelPath} (check WHISPER_VAD_MODEL)`);
    // One thread: Silero runs a tiny graph per 32 ms frame, and ggml's thread barriers cost far more
    // than they save there (about 1000 times slower with 2 threads on a busy 2-core machine).
    const params = { ...api.whisper_vad_default_context_params(), n_threads: 1, use_gpu: false };
    const loaded = await api.async.whisper_vad_init_from_file_with_params(modelPath, params);
    if (loaded === null) throw unavailable(`whisper.cpp could not load the VAD model ${modelPath}`);
    vctx = loaded;
    return vctx;
  };

  return {
    async detect(pcm) {
      const ctx = await context();
      const segments = await api.async.whisper_vad_segments_from_samples(ctx, api.whisper_vad_default_params(), pcm, pcm.length);
      if (segments === null) throw new TaskFailure('PROCESSING_FAILED', 'whisper_vad_segments_from_samples failed');
      try {
        const regions: SpeechRegion[] = [];
        const n = api.whisper_vad_segments_n_segments(segments);
        // whisper.cpp reports VAD times in centiseconds.
        for (let i = 0; i < n; i++) {
          regions.push({ start: api.whisper_vad_segments_get_segment_t0(segments, i) / 100, end: api.whisper_vad_segments_get_segment_t1(segments, i) / 100 });
        }
        return regions;
      } finally {
        api.whisper_vad_free_segments(segments);
      }
    },
    close() {
      if (vctx !== null) api.whisper_vad_free(vctx);
      vctx = null;
    },
  };
}
