import koffi from 'koffi';
import { tokenTextFields } from '../../tasks/words.ts';
import type { Segment, Token } from '../../contract/transcript.ts';
import type { WhisperBindings } from '../native/bindings.ts';
import type { Ptr } from '../native/native-types.ts';

/** Where a whisper_full call's audio sits in the whole input, and how to map its times back. */
export interface SegmentPlacement {
  /** Seconds added to every time (the chunk's start in the input). */
  offsetSec: number;
  /** Maps a time of the audio given to whisper_full (seconds) to the chunk's own time (VAD). */
  toChunkTime: (t: number) => number;
  /** Id of this call's first segment. */
  firstId: number;
}

/** Reads the segments of a state's last whisper_full_with_state call. */
export interface SegmentReader {
  /** Segment `i` of `state`, in seconds of the whole input. */
  read(state: Ptr, i: number, place: SegmentPlacement): Segment;
}

/** Creates a reader for one context's vocabulary; token texts are cached per id (the vocabulary is fixed). */
export function createSegmentReader(api: WhisperBindings, ctx: Ptr): SegmentReader {
  const eot = api.whisper_token_eot(ctx);
  const texts = new Map<number, { text: string; bytes?: string }>();

  const tokenText = (id: number) => {
    let cached = texts.get(id);
    if (cached) return cached;
    const ptr = api.whisper_token_to_str(ctx, id);
    cached = ptr === null ? { text: '' } : tokenTextFields(cString(ptr));
    texts.set(id, cached);
    return cached;
  };

  return {
    read(state, i, place) {
      const time = (cs: number) => (cs < 0 ? -1 : place.offsetSec + place.toChunkTime(cs / 100));
      const tokens: Token[] = [];
      let logprobSum = 0;
      let textTokens = 0;
      const n = api.whisper_full_n_tokens_from_state(state, i);
      for (let j = 0; j < n; j++) {
        const data = api.whisper_full_get_token_data_from_state(state, i, j);
        const special = data.id >= eot;
        if (!special) {
          logprobSum += data.plog;
          textTokens += 1;
        }
        tokens.push({ id: data.id, ...tokenText(data.id), p: data.p, t0: time(data.t0), t1: time(data.t1), tDtw: time(data.t_dtw), special });
      }
      const start = time(api.whisper_full_get_segment_t0_from_state(state, i));
      const end = Math.max(start, time(api.whisper_full_get_segment_t1_from_state(state, i)));
      return {
        id: place.firstId + i,
        start,
        end,
        text: api.whisper_full_get_segment_text_from_state(state, i),
        noSpeechProb: api.whisper_full_get_segment_no_speech_prob_from_state(state, i),
        avgLogprob: textTokens > 0 ? logprobSum / textTokens : 0,
        tokens,
      };
    },
  };
}

/** The bytes of a NUL-terminated C string, read one at a time so nothing past the NUL is touched. */
function cString(ptr: Ptr): Uint8Array {
  const bytes: number[] = [];
  for (let i = 0; i < 4096; i++) {
    const b = koffi.decode(ptr, i, 'uint8_t') as number;
    if (b === 0) break;
    bytes.push(b);
  }
  return Uint8Array.from(bytes);
}
