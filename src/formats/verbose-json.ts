import { deflateSync } from 'node:zlib';
import type { TranscriptResult } from '../contract/transcript.ts';
import { roundTime } from './json.ts';
import { languageName } from './languages.ts';

/** What verbose_json needs beyond the result: the task's settings and OpenAI's timestamp_granularities. */
export interface VerboseOptions {
  task?: 'transcribe' | 'translate';
  temperature?: number;
  /** Default ['segment']; 'word' adds the top-level words[] (when the transcript has word timings). */
  granularities?: readonly ('word' | 'segment')[];
}

/** How well the text compresses, as OpenAI computes it (bytes / zlib bytes); high values flag repetition loops. */
export function compressionRatio(text: string): number {
  const bytes = Buffer.from(text, 'utf8');
  return bytes.length === 0 ? 0 : bytes.length / deflateSync(bytes).length;
}

/** The OpenAI verbose_json object: task, language name, duration, text, segments[] and words[]. */
export function verboseJson(result: TranscriptResult, options: VerboseOptions = {}) {
  const granularities = options.granularities ?? ['segment'];
  const temperature = options.temperature ?? 0;
  const words = result.segments.flatMap((s) => s.words ?? []).filter((w) => w.word.trim() !== '');
  return {
    task: options.task ?? 'transcribe',
    language: languageName(result.language),
    duration: roundTime(result.duration),
    text: result.text.trim(),
    ...(granularities.includes('segment') && {
      segments: result.segments.map((s) => ({
        id: s.id,
        // whisper.cpp does not expose the decoding window, so seek is the segment start in 10 ms frames.
        seek: Math.round(Math.max(0, s.start) * 100),
        start: roundTime(s.start),
        end: roundTime(s.end),
        text: s.text,
        tokens: s.tokens.map((t) => t.id),
        temperature,
        avg_logprob: s.avgLogprob,
        compression_ratio: compressionRatio(s.text),
        no_speech_prob: s.noSpeechProb,
        ...(s.speaker !== undefined && { speaker: s.speaker }),
      })),
    }),
    ...(granularities.includes('word') && {
      words: words.map((w) => ({
        word: w.word.trim(), start: roundTime(w.start), end: roundTime(w.end), ...(w.speaker !== undefined && { speaker: w.speaker }),
      })),
    }),
  };
}

/** The verbose_json format as a string. */
export function renderVerboseJson(result: TranscriptResult, options: VerboseOptions = {}): string {
  return JSON.stringify(verboseJson(result, options));
}
