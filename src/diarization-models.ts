import { existsSync } from 'node:fs';
import path from 'node:path';
import type { Config } from './config.ts';
import type { DiarizationOptions } from './engine/pool/worker-pool-options.ts';

/** The download command that fetches both diarization models. */
export const DIARIZATION_DOWNLOAD = 'npm run models:download -- diarization';

/** Where the diarization models are expected, and whether both are there. */
export interface ResolvedDiarization {
  segmentationModel: string;
  embeddingModel: string;
  available: boolean;
  /** Worker options when available. */
  options: DiarizationOptions | null;
}

// A value with a slash is a path; a bare name is a file in DATA_DIR/models.
const resolve = (value: string, modelsDir: string) =>
  path.isAbsolute(value) || value.includes('/') || value.includes(path.sep) ? path.resolve(value) : path.join(modelsDir, value);

/** Resolves DIARIZATION_SEGMENTATION_MODEL and DIARIZATION_EMBEDDING_MODEL and the tuning around them. */
export function resolveDiarization(config: Pick<Config, 'MODELS_DIR' | 'DIARIZATION_SEGMENTATION_MODEL' | 'DIARIZATION_EMBEDDING_MODEL'
  | 'DIARIZATION_THRESHOLD' | 'DIARIZATION_MIN_DURATION_ON' | 'DIARIZATION_MIN_DURATION_OFF' | 'DIARIZATION_THREADS'>): ResolvedDiarization {
  const segmentationModel = resolve(config.DIARIZATION_SEGMENTATION_MODEL, config.MODELS_DIR);
  const embeddingModel = resolve(config.DIARIZATION_EMBEDDING_MODEL, config.MODELS_DIR);
  const available = existsSync(segmentationModel) && existsSync(embeddingModel);
  return {
    segmentationModel,
    embeddingModel,
    available,
    options: available ? {
      segmentationModel, embeddingModel, threshold: config.DIARIZATION_THRESHOLD, minDurationOn: config.DIARIZATION_MIN_DURATION_ON,
      minDurationOff: config.DIARIZATION_MIN_DURATION_OFF, threads: config.DIARIZATION_THREADS,
    } : null,
  };
}
