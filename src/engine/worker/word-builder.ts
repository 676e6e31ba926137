import type { Segment, TranscriptResult } from '../../contract/transcript.ts';
import { withWords } from '../../tasks/words.ts';

/** Adds words to one task's segments in the worker, so that the server never builds them. */
export interface WordBuilder {
  /** The segment as it is sent live: with its words when the task asked for them. */
  segment(segment: Segment): Segment;
  /** The result with every segment's words (those sent live are reused, not built twice). */
  result(result: TranscriptResult): TranscriptResult;
}

/**
 * Builds a segment's words from its tokens as soon as the segment is final (word_timestamps), so
 * live segment messages carry them too; without word_timestamps segments pass through untouched.
 */
export function createWordBuilder(enabled: boolean): WordBuilder {
  // Keyed by the engine's own segment objects: the result holds the same objects it streamed.
  const built = new WeakMap<Segment, Segment>();
  const segment = (raw: Segment): Segment => {
    if (!enabled) return raw;
    let out = built.get(raw);
    if (!out) {
      out = withWords(raw);
      built.set(raw, out);
    }
    return out;
  };
  return {
    segment,
    result: (result) => (enabled ? { ...result, segments: result.segments.map(segment) } : result),
  };
}
