import { TaskFailure } from '../../tasks/errors.ts';
import type { TaskParams } from '../../contract/task-params.ts';
import type { Segment, TranscriptResult } from '../../contract/transcript.ts';
import type { NativeAbortFlag } from '../native/abort-flag.ts';
import type { BoundWhisper } from '../native/bindings.ts';
import { buildFullParams, type CallSettings } from '../native/full-params.ts';
import { registerRunCallbacks, type RunListeners } from '../native/native-callbacks.ts';
import type { NativeFullParams, Ptr } from '../native/native-types.ts';
import { chunkPcm, type PcmChunk, type PcmInput } from './pcm-chunks.ts';
import { createProgressMeter } from './progress-meter.ts';
import type { SegmentReader } from './segment-reader.ts';
import { buildSpeechAudio } from './speech-map.ts';
import type { Vad } from './vad.ts';

const RATE = 16_000;
/** Longest audio one whisper_full call gets by default: memory stays flat however long the input is. */
export const MAX_CHUNK_SEC = 600;
// A chunk ends at the quietest moment of its last few seconds.
const CUT_SEARCH_SEC = 8;
// Context carried into the next chunk, as whisper does between its own 30 s windows.
const CARRY_CHARS = 200;

/** Per-call options of a transcription. */
export interface TranscribeOptions {
  /** The media's length when known, so progress over a stream is spread over the whole of it. */
  durationSec?: number;
  /** Longest whisper_full input in seconds (default MAX_CHUNK_SEC). */
  maxChunkSec?: number;
}

/** Callbacks of one transcription; all run on the JS thread. */
export interface TranscribeHooks {
  /** Overall progress, an integer 0..100, never decreasing, 100 last. */
  onProgress?(percent: number): void;
  /** Each segment once it is final, in order, ids counting on across chunks. */
  onSegment?(segment: Segment): void;
  /** Polled by whisper.cpp between passes; true makes the transcription end with CANCELLED. */
  isCancelled?(): boolean;
}

/** A context to run on, and the reader of its segments. */
export interface TaskContext {
  ctx: Ptr;
  reader: SegmentReader;
}

/** What the transcription loop needs from a loaded engine. */
export interface LoadedModel {
  api: BoundWhisper;
  defaults: NativeFullParams;
  threads: number;
  multilingual: boolean;
  name: string;
  vad: Vad;
  /** The native stop flag for whisper.cpp's abort checks, when its library is there. */
  abortFlag: NativeAbortFlag | null;
  /** The context for a task: the DTW one when it asks for word timestamps (and DTW is on), the flash-attention one otherwise. */
  contextFor(params: TaskParams): Promise<TaskContext>;
}

/** One task's run: its context and its own whisper_state. */
interface Run { api: BoundWhisper; ctx: Ptr; state: Ptr; threads: number; abortFlag: NativeAbortFlag | null }

/** Transcribes the whole input chunk by chunk (see chunkPcm); throws TaskFailure on cancel or failure. */
export async function transcribeInput(
  m: LoadedModel, input: PcmInput, params: TaskParams, hooks: TranscribeHooks, options: TranscribeOptions,
): Promise<TranscriptResult> {
  const t0 = performance.now();
  const meter = createProgressMeter(options.durationSec ?? 0, hooks.onProgress);
  const segments: Segment[] = [];
  let cancelled = false;
  const isCancelled = () => (cancelled ||= hooks.isCancelled?.() ?? false);
  let language = m.multilingual ? (params.language === 'auto' ? null : params.language) : 'en';
  let languageProbability: number | null = null;
  if (language !== null && m.api.whisper_lang_id(language) < 0) {
    throw new TaskFailure('PROCESSING_FAILED', `unknown language code "${language}"`, `The language "${language}" is not supported by the model.`);
  }
  let prompt = params.initialPrompt ?? null;
  const timings = { decodeMs: 0, transcribeMs: 0 };
  let samples = 0;
  const { ctx, reader } = await m.contextFor(params);
  // A fresh state per task: its decoder RNG starts from whisper.cpp's fixed seed, so a task's result
  // (temperature fallbacks included) does not depend on what the worker ran before, and equals a
  // fresh whisper.cpp process's.
  const state = await m.api.async.whisper_init_state(ctx);
  if (state === null) throw new TaskFailure('PROCESSING_FAILED', 'whisper_init_state failed (out of memory?)');
  const run: Run = { api: m.api, ctx, state, threads: m.threads, abortFlag: m.abortFlag };

  const runChunk = async (chunk: PcmChunk) => {
    const offsetSec = chunk.offset / RATE;
    const chunkSec = chunk.pcm.length / RATE;
    meter.beginChunk(offsetSec, chunkSec);
    let audio = chunk.pcm;
    let toChunkTime = (t: number) => t;
    if (params.vad) {
      const speech = buildSpeechAudio(chunk.pcm, await m.vad.detect(chunk.pcm), RATE);
      audio = speech.pcm;
      toChunkTime = speech.toOriginal;
    }
    if (language === null) ({ language, languageProbability } = await detectLanguage(run, audio.length > 0 ? audio : chunk.pcm));
    const firstId = segments.length;
    let emitted = 0;
    const flush = () => {
      for (const n = m.api.whisper_full_n_segments_from_state(state); emitted < n; emitted++) {
        const segment = clampSegment(reader.read(state, emitted, { offsetSec, toChunkTime, firstId }), offsetSec, offsetSec + chunkSec);
        segments.push(segment);
        hooks.onSegment?.(segment);
      }
    };
    // VAD may find no speech at all; whisper_full is then skipped, not fed silence.
    if (audio.length > 0) {
      const fp = (callbacks: CallSettings['callbacks']) => buildFullParams(m.defaults, {
        threads: m.threads, language: language!, translate: params.task === 'translate' && m.multilingual, prompt, params, callbacks,
      });
      // A new window starts: the previous window's segments (and their DTW times) are final.
      await runWhisper(run, audio, fp, { onNewSegments: flush, onProgress: (p) => { flush(); meter.update(p); }, shouldAbort: isCancelled });
      if (isCancelled()) throw cancelFailure();
      flush();
    }
    const carried = segments.slice(firstId).map((s) => s.text).join('').trim();
    prompt = carried ? carried.slice(-CARRY_CHARS) : prompt;
    meter.endChunk();
  };

  const maxChunk = Math.round((options.maxChunkSec ?? MAX_CHUNK_SEC) * RATE);
  const chunks = chunkPcm(input, maxChunk, Math.min(CUT_SEARCH_SEC * RATE, Math.floor(maxChunk / 4)))[Symbol.asyncIterator]();
  try {
    for (;;) {
      const waitStart = performance.now();
      const next = await chunks.next();
      timings.decodeMs += performance.now() - waitStart;
      if (next.done) break;
      if (isCancelled()) throw cancelFailure();
      const runStart = performance.now();
      samples = next.value.offset + next.value.pcm.length;
      await runChunk(next.value);
      timings.transcribeMs += performance.now() - runStart;
    }
  } finally {
    // Ending early (cancel, failure) closes the chunk stream, which stops the audio decoder.
    try {
      await chunks.return?.(undefined);
    } finally {
      m.api.whisper_free_state(state); // no native call runs on it any more: each was awaited
    }
  }
  meter.finish();
  return {
    text: segments.map((s) => s.text).join('').trim(),
    language: language ?? 'en',
    languageProbability,
    duration: samples / RATE,
    model: m.name,
    segments,
    timings: { decodeMs: Math.round(timings.decodeMs), transcribeMs: Math.round(timings.transcribeMs), totalMs: Math.round(performance.now() - t0) },
  };
}

const cancelFailure = () => new TaskFailure('CANCELLED', 'the transcription was cancelled');

/** One whisper_full call on koffi's thread pool, with callbacks registered for exactly its duration. */
async function runWhisper(
  m: Run, audio: Float32Array, params: (callbacks: CallSettings['callbacks']) => NativeFullParams, listeners: RunListeners,
): Promise<void> {
  const callbacks = registerRunCallbacks(listeners, m.abortFlag);
  try {
    const rc = await m.api.async.whisper_full_with_state(m.ctx, m.state, params(callbacks), audio, audio.length);
    if (callbacks.error() !== null) throw callbacks.error();
    // A non-zero code after a cancel is the abort itself; the caller reports CANCELLED.
    if (rc !== 0 && !listeners.shouldAbort()) throw new TaskFailure('PROCESSING_FAILED', `whisper_full failed with code ${rc}`);
  } finally {
    callbacks.unregister();
  }
}

/** Detects the spoken language from the first 30 s, as whisper.cpp would inside whisper_full. */
async function detectLanguage(m: Run, audio: Float32Array): Promise<{ language: string; languageProbability: number }> {
  const head = audio.subarray(0, Math.min(audio.length, 30 * RATE));
  if (await m.api.async.whisper_pcm_to_mel_with_state(m.ctx, m.state, head, head.length, m.threads) !== 0) {
    throw new TaskFailure('PROCESSING_FAILED', 'whisper_pcm_to_mel failed during language detection');
  }
  const probs = new Float32Array(m.api.whisper_lang_max_id() + 1);
  const id = await m.api.async.whisper_lang_auto_detect_with_state(m.ctx, m.state, 0, m.threads, probs);
  const code = id >= 0 ? m.api.whisper_lang_str(id) : null;
  if (code === null) throw new TaskFailure('PROCESSING_FAILED', `language detection failed (code ${id})`);
  return { language: code, languageProbability: probs[id]! };
}

/** Keeps a segment and its token times inside its chunk: whisper.cpp may run past the audio's end. */
function clampSegment(segment: Segment, from: number, to: number): Segment {
  const clamp = (t: number) => (t < 0 ? t : Math.min(to, Math.max(from, t)));
  const start = clamp(segment.start);
  return {
    ...segment,
    start,
    end: Math.max(start, clamp(segment.end)),
    tokens: segment.tokens.map((t) => ({ ...t, t0: clamp(t.t0), t1: clamp(t.t1), tDtw: clamp(t.tDtw) })),
  };
}
