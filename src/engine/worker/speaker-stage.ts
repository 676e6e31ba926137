import { TaskFailure } from '../../tasks/errors.ts';
import { assignSpeakers, labelTurns, speakerTimes } from '../../tasks/speakers.ts';
import type { TaskParams } from '../../contract/task-params.ts';
import type { TranscriptResult } from '../../contract/transcript.ts';
import { withWords } from '../../tasks/words.ts';
import type { Diarizer } from './diarizer.ts';

/** What the speaker stage needs besides the transcript. */
export interface SpeakerStageInput {
  result: TranscriptResult;
  /** The task's whole audio, 16 kHz mono (recorded while it streamed into whisper.cpp). */
  samples: Float32Array;
  params: TaskParams;
  diarizer: Diarizer;
  /** Reports entering a stage and moving through it (fraction 0..1). */
  stage(stage: 'aligning' | 'diarizing', fraction: number): void;
  isCancelled(): boolean;
}

/**
 * Diarizes the audio, then labels words and segments with speakers (splitting segments at speaker
 * changes). Labelling needs words: segments that came without them (no word timestamps asked) get
 * them here, and lose them again in the result.
 */
export async function addSpeakers(input: SpeakerStageInput): Promise<TranscriptResult> {
  const { result, params } = input;
  const segmentsWithWords = result.segments.map(withWords);
  input.stage('diarizing', 0);
  const started = performance.now();
  const raw = await input.diarizer.diarize(input.samples, {
    numSpeakers: params.numSpeakers, minSpeakers: params.minSpeakers, maxSpeakers: params.maxSpeakers,
  }, (fraction) => input.stage('diarizing', Math.min(0.95, fraction * 0.95)));
  if (input.isCancelled()) throw new TaskFailure('CANCELLED', 'cancelled while identifying speakers');
  const turns = labelTurns(raw);
  const labelled = assignSpeakers(segmentsWithWords, turns);
  const segments = params.wordTimestamps ? labelled : labelled.map(({ words: _words, ...segment }) => segment);
  const diarizeMs = Math.round(performance.now() - started);
  input.stage('diarizing', 1);
  return {
    ...result,
    segments,
    turns,
    speakers: speakerTimes(turns),
    timings: { ...result.timings, diarizeMs, totalMs: result.timings.totalMs + diarizeMs },
  };
}
