import { existsSync } from 'node:fs';
import path from 'node:path';
import { TaskFailure } from '../../tasks/errors.ts';
import type { TaskParams } from '../../contract/task-params.ts';
import type { TranscriptResult } from '../../contract/transcript.ts';
import { bindWhisper, contextParamsFromRef, fullParamsFromRef, type BoundWhisper } from '../native/bindings.ts';
import { AHEADS_PRESET, SAMPLING } from '../native/bindings-structs.ts';
import { dtwPreset, modelKind, readModelHeader } from '../native/model-header.ts';
import { routeNativeLogs, type NativeLogLevel, type NativeLogs } from '../native/native-logs.ts';
import type { PcmInput } from './pcm-chunks.ts';
import { loadAbortFlag, type NativeAbortFlag } from '../native/abort-flag.ts';
import { loadModelContexts, type ModelContexts } from './model-contexts.ts';
import type { SpeechRegion } from './speech-map.ts';
import { createVad } from './vad.ts';
import { createLibraryLoader, type WhisperLibrary } from '../native/whisper-library.ts';
import { transcribeInput, type LoadedModel, type TranscribeHooks, type TranscribeOptions } from './whisper-transcribe.ts';

/** How to load a model. */
export interface LoadOptions {
  threads: number;
  /** Use the GPU when the library was built with one (default true; no effect on the CPU build). */
  useGpu?: boolean;
  gpuDevice?: number;
  /** DTW token timestamps for tasks with word timestamps, with the model's alignment-heads preset (default true). */
  dtw?: boolean;
  /**
   * Flash attention for tasks without word timestamps (default true). DTW needs it off, so with both
   * on, a second context (the weights again) is loaded for the first task that asks for word timestamps.
   * false: one context without flash attention serves every task.
   */
  flashAttn?: boolean;
  /** Silero VAD model (ggml), used by tasks with `vad`; loaded on first use. */
  vadModelPath?: string;
}

/** What the loaded model is. */
export interface ModelInfo {
  name: string;
  /** e.g. "tiny.en", "base", "large-v3" ("unknown" when the shapes match no release). */
  type: string;
  multilingual: boolean;
  /** Whether tasks with word timestamps get DTW token times. */
  dtw: boolean;
}

/** One whisper.cpp context: load once, transcribe many times (one at a time). */
export interface WhisperEngine {
  load(modelPath: string, options: LoadOptions): Promise<ModelInfo>;
  modelInfo(): ModelInfo | null;
  systemInfo(): string;
  /** Transcribes 16 kHz mono audio in chunks of at most 10 minutes; throws TaskFailure (CANCELLED, …). */
  transcribe(input: PcmInput, params: TaskParams, hooks?: TranscribeHooks, options?: TranscribeOptions): Promise<TranscriptResult>;
  /** Silero VAD speech regions (seconds) of 16 kHz mono audio. */
  detectSpeech(pcm: Float32Array): Promise<SpeechRegion[]>;
  /** True while a whisper.cpp call runs on a native thread (load, transcription, VAD). */
  nativeBusy(): boolean;
  close(): void;
}

/** Options for createWhisperEngine. */
export interface EngineOptions {
  /** Finds and opens libwhisper (default: createLibraryLoader(), which honours WHISPER_LIB_PATH). */
  library?: () => WhisperLibrary;
  /** Receives native warnings and errors; INFO/DEBUG chatter is dropped. Default: kept only for error details. */
  onLog?: (level: NativeLogLevel, text: string) => void;
}

/** Creates an engine; nothing native is touched until load(). */
export function createWhisperEngine(options: EngineOptions = {}): WhisperEngine {
  const library = options.library ?? createLibraryLoader();
  let api: BoundWhisper | null = null;
  let logs: NativeLogs | null = null;
  let abortFlag: NativeAbortFlag | null = null;
  let model: (LoadedModel & { info: ModelInfo; contexts: ModelContexts }) | null = null;
  let busy = false;

  const bound = (): BoundWhisper => {
    if (api) return api;
    try {
      const lib = library();
      api = bindWhisper(lib.handle);
      abortFlag = loadAbortFlag(path.dirname(lib.path));
    } catch (err) {
      throw new TaskFailure('MODEL_UNAVAILABLE', err instanceof Error ? err.message : String(err));
    }
    logs = routeNativeLogs(api, options.onLog);
    return api;
  };
  const unload = () => {
    if (!model) return;
    model.vad.close();
    model.contexts.free();
    model = null;
  };

  return {
    async load(modelPath, opts) {
      if (busy) throw new TaskFailure('PROCESSING_FAILED', 'cannot load a model while a transcription runs');
      const w = bound();
      const file = path.resolve(modelPath);
      if (!existsSync(file)) throw new TaskFailure('MODEL_UNAVAILABLE', `model file not found: ${file} (check WHISPER_MODEL, or download one with npm run models:download)`);
      const header = await readModelHeader(file);
      const kind = header ? modelKind(header, file) : 'unknown';
      const preset = opts.dtw === false ? AHEADS_PRESET.NONE : dtwPreset(kind);
      const base = { ...contextParamsFromRef(w), use_gpu: opts.useGpu ?? true, gpu_device: opts.gpuDevice ?? 0 };
      unload();
      logs!.clear();
      const contexts = await loadModelContexts({
        api: w, file, base, preset, flashAttn: opts.flashAttn ?? true, errors: () => logs!.errorsSuffix(),
      });
      const { ctx } = contexts.main;
      const multilingual = w.whisper_is_multilingual(ctx) !== 0;
      const info: ModelInfo = {
        name: path.basename(file),
        type: kind === 'unknown' ? w.whisper_model_type_readable(ctx) : kind,
        multilingual,
        dtw: contexts.dtw,
      };
      model = {
        api: w, info, contexts, multilingual, name: info.name, threads: opts.threads,
        defaults: fullParamsFromRef(w, SAMPLING.GREEDY),
        vad: createVad(w, opts.vadModelPath),
        abortFlag,
        contextFor: contexts.contextFor,
      };
      return info;
    },
    modelInfo: () => model?.info ?? null,
    systemInfo: () => bound().whisper_print_system_info().trim(),
    async transcribe(input, params, hooks = {}, opts = {}) {
      if (!model) throw new TaskFailure('PROCESSING_FAILED', 'no model is loaded');
      // One context cannot run two whisper_full calls at once.
      if (busy) throw new TaskFailure('PROCESSING_FAILED', 'this engine is already transcribing');
      busy = true;
      try {
        // A whole array's length is known: it spreads progress when the caller gives no duration.
        const durationSec = opts.durationSec ?? (input instanceof Float32Array ? input.length / 16_000 : undefined);
        return await transcribeInput(model, input, params, hooks, { ...opts, durationSec });
      } finally {
        busy = false;
      }
    },
    async detectSpeech(pcm) {
      if (!model) throw new TaskFailure('PROCESSING_FAILED', 'no model is loaded');
      if (busy) throw new TaskFailure('PROCESSING_FAILED', 'this engine is already transcribing');
      return model.vad.detect(pcm);
    },
    nativeBusy: () => (api?.inFlight() ?? 0) > 0,
    close() {
      if (busy) throw new Error('close() while a transcription runs; cancel it and wait first');
      unload();
      logs?.close();
      logs = null;
      api = null;
    },
  };
}
