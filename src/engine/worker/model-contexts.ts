import { TaskFailure } from '../../tasks/errors.ts';
import type { TaskParams } from '../../contract/task-params.ts';
import type { BoundWhisper } from '../native/bindings.ts';
import { AHEADS_PRESET } from '../native/bindings-structs.ts';
import type { NativeContextParams, Ptr } from '../native/native-types.ts';
import { createSegmentReader } from './segment-reader.ts';
import type { TaskContext } from './whisper-transcribe.ts';

/** The model's contexts: one with flash attention, and one with DTW that is loaded on first need. */
export interface ModelContexts {
  /** The context loaded up front (model facts are read from it). */
  main: TaskContext;
  /** Whether tasks with word timestamps get DTW token times. */
  dtw: boolean;
  contextFor(params: TaskParams): Promise<TaskContext>;
  /** How many contexts hold the weights now (1 or 2). */
  loaded(): number;
  free(): void;
}

/** What loadModelContexts needs. */
export interface ContextsOptions {
  api: BoundWhisper;
  file: string;
  /** whisper.cpp's default context params with the GPU choice applied. */
  base: NativeContextParams;
  /** Alignment-heads preset for DTW (AHEADS_PRESET.NONE: no DTW). */
  preset: number;
  /** false: one context, without flash attention, serves every task (half the weights' memory). */
  flashAttn: boolean;
  /** Appended to a load failure: the native errors logged meanwhile. */
  errors(): string;
}

/**
 * whisper.cpp fixes flash attention and DTW per context (DTW needs flash attention off), so a task
 * without word timestamps would pay for DTW on a shared context. Contexts are loaded without a state
 * (each task makes its own), so a second context costs the weights again and nothing more.
 */
export async function loadModelContexts(o: ContextsOptions): Promise<ModelContexts> {
  const load = async (params: NativeContextParams): Promise<TaskContext> => {
    const ctx = await o.api.async.whisper_init_from_file_with_params_no_state(o.file, params);
    if (ctx === null) throw new TaskFailure('MODEL_UNAVAILABLE', `whisper.cpp could not load ${o.file}${o.errors()}`);
    return { ctx, reader: createSegmentReader(o.api, ctx) };
  };
  // whisper.cpp computes DTW only without flash attention (it would switch DTW off otherwise).
  const dtwParams: NativeContextParams = { ...o.base, flash_attn: false, dtw_token_timestamps: true, dtw_aheads_preset: o.preset };
  const wantDtw = o.preset !== AHEADS_PRESET.NONE;
  const single = !o.flashAttn || !wantDtw;
  const main = await load(single ? (wantDtw ? dtwParams : { ...o.base, flash_attn: o.flashAttn }) : { ...o.base, flash_attn: true });
  let dtwContext: Promise<TaskContext> | null = single ? Promise.resolve(main) : null;
  let second: TaskContext | null = null;
  let freed = false;
  return {
    main,
    dtw: wantDtw,
    contextFor(params) {
      if (!params.wordTimestamps || !wantDtw) return Promise.resolve(main);
      dtwContext ??= load(dtwParams).then((c) => (second = c), (err: unknown) => {
        dtwContext = null; // a later task may try again (memory may have been freed meanwhile)
        throw err;
      });
      return dtwContext;
    },
    loaded: () => (second ? 2 : 1),
    free() {
      if (freed) return;
      freed = true;
      o.api.whisper_free(main.ctx);
      // Only ever called while no task runs, so a lazily loaded context has finished loading.
      if (second) o.api.whisper_free(second.ctx);
      second = null;
    },
  };
}
