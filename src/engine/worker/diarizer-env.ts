import { createDiarizer, type Diarizer } from './diarizer.ts';

const num = (value: string | undefined, fallback: number) => {
  const n = value === undefined || value.trim() === '' ? NaN : Number(value);
  return Number.isFinite(n) ? n : fallback;
};

/**
 * The worker's diarizer, from the environment workerEnv() sets: DIARIZATION_SEGMENTATION_MODEL and
 * DIARIZATION_EMBEDDING_MODEL (absolute paths; without both, the worker has no diarizer),
 * DIARIZATION_THRESHOLD, DIARIZATION_MIN_DURATION_ON/OFF (seconds) and DIARIZATION_THREADS.
 * Models load on the first task that asks for speakers.
 */
export function diarizerFromEnv(env: NodeJS.ProcessEnv): Diarizer | undefined {
  const segmentationModel = env.DIARIZATION_SEGMENTATION_MODEL ?? '';
  const embeddingModel = env.DIARIZATION_EMBEDDING_MODEL ?? '';
  if (!segmentationModel || !embeddingModel) return undefined;
  return createDiarizer({
    segmentationModel,
    embeddingModel,
    threshold: num(env.DIARIZATION_THRESHOLD, 0.5),
    minDurationOn: num(env.DIARIZATION_MIN_DURATION_ON, 0.3),
    minDurationOff: num(env.DIARIZATION_MIN_DURATION_OFF, 0.5),
    threads: Math.max(1, Math.floor(num(env.DIARIZATION_THREADS, 1))),
  });
}
