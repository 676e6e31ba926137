import { createRequire } from 'node:module';
import { TaskFailure } from '../../tasks/errors.ts';
import type { RawTurn } from '../../tasks/speakers.ts';
import { verifyDiarizationModel } from './diarize-models.ts';

/** Models and tuning of the diarization pipeline (pyannote segmentation, embeddings, clustering). */
export interface DiarizerOptions {
  segmentationModel: string;
  embeddingModel: string;
  /** Clustering distance threshold used when the number of speakers is not given (higher: fewer speakers). */
  threshold: number;
  /** Seconds: shorter speech is dropped, shorter pauses do not end a turn. */
  minDurationOn: number;
  minDurationOff: number;
  threads: number;
}

/** What the client asked about the number of speakers. */
export interface SpeakerBounds {
  numSpeakers?: number;
  minSpeakers?: number;
  maxSpeakers?: number;
}

/** Who spoke when in 16 kHz mono PCM. */
export interface Diarizer {
  /** Resolves raw turns (cluster ids, seconds); onProgress gets the fraction of the work done. */
  diarize(samples: Float32Array, bounds: SpeakerBounds, onProgress: (fraction: number) => void): Promise<RawTurn[]>;
  /** True while a run is on a libuv pool thread (the process must then not exit normally). */
  busy(): boolean;
}

// The slice of sherpa-onnx-node we use. The JS wrapper only exposes the blocking process(); the addon
// has an async twin that runs on the libuv pool and reports (done, total) per segmentation window.
interface SherpaDiarization {
  handle: unknown;
  setConfig(config: { clustering: { numClusters: number; threshold: number } }): void;
}
interface SherpaModule {
  OfflineSpeakerDiarization: new (config: object) => SherpaDiarization;
}
interface SherpaAddon {
  offlineSpeakerDiarizationProcessAsync(handle: unknown, samples: Float32Array, progress: (done: number, total: number) => number): Promise<RawTurn[]>;
}

const requireCjs = createRequire(import.meta.url);

/**
 * A diarizer that loads its models on first use (after checking known files' sha256) and keeps
 * them for later tasks. With min/max bounds it clusters by threshold first and, when the count
 * falls outside them, clusters again with the count clamped (that second pass costs a second run).
 */
export function createDiarizer(options: DiarizerOptions): Diarizer {
  let engine: SherpaDiarization | null = null;
  let addon: SherpaAddon | null = null;
  let running = 0;

  const load = async (): Promise<SherpaDiarization> => {
    if (engine) return engine;
    await verifyDiarizationModel(options.segmentationModel);
    await verifyDiarizationModel(options.embeddingModel);
    try {
      const sherpa = requireCjs('sherpa-onnx-node') as SherpaModule;
      addon = requireCjs('sherpa-onnx-node/addon.js') as SherpaAddon;
      engine = new sherpa.OfflineSpeakerDiarization({
        segmentation: { pyannote: { model: options.segmentationModel }, numThreads: options.threads, debug: 0 },
        embedding: { model: options.embeddingModel, numThreads: options.threads, debug: 0 },
        clustering: { numClusters: -1, threshold: options.threshold },
        minDurationOn: options.minDurationOn,
        minDurationOff: options.minDurationOff,
      });
    } catch (err) {
      throw new TaskFailure('DIARIZATION_FAILED', `could not load the diarization models: ${err instanceof Error ? err.message : String(err)}`);
    }
    return engine;
  };

  // Segmentation takes about three quarters of the time and sherpa-onnx reports nothing during it;
  // the embedding loop after it reports per stretch. So the first part is estimated from this
  // worker's measured segmentation speed, capped below where the real reports begin.
  let segmentationMsPerSecond = 40;
  const SEGMENTATION_SHARE = 0.75;

  // `engine` holds the wrapper for the diarizer's whole life: were it collected during an async run,
  // its finalizer would free the native pipeline under the pool thread (a segfault, seen in testing).
  const run = async (sd: SherpaDiarization, samples: Float32Array, numClusters: number, report: (f: number) => void) => {
    sd.setConfig({ clustering: { numClusters, threshold: options.threshold } });
    const started = performance.now();
    const expectedMs = Math.max(1, (samples.length / 16_000) * segmentationMsPerSecond);
    let segmented = false;
    const estimate = setInterval(() => {
      if (!segmented) report(Math.min(SEGMENTATION_SHARE - 0.05, SEGMENTATION_SHARE * ((performance.now() - started) / expectedMs)));
    }, 1000);
    let finished = false;
    running += 1;
    try {
      const turns = await addon!.offlineSpeakerDiarizationProcessAsync(sd.handle, samples, (done, total) => {
        // Reports travel through a queue to this thread and may arrive after the result: drop those.
        if (finished) return 0;
        if (!segmented && samples.length >= 16_000) segmentationMsPerSecond = (performance.now() - started) / (samples.length / 16_000);
        segmented = true;
        report(SEGMENTATION_SHARE + (1 - SEGMENTATION_SHARE) * (total > 0 ? done / total : 0));
        return 0;
      });
      finished = true;
      report(1);
      return turns;
    } finally {
      finished = true;
      running -= 1;
      clearInterval(estimate);
    }
  };

  return {
    busy: () => running > 0,
    async diarize(samples, bounds, onProgress) {
      const sd = await load();
      const fixed = bounds.numSpeakers ?? (bounds.minSpeakers !== undefined && bounds.minSpeakers === bounds.maxSpeakers ? bounds.minSpeakers : undefined);
      const hasBounds = bounds.minSpeakers !== undefined || bounds.maxSpeakers !== undefined;
      // Without a second pass in view, the first one is the whole job; with one, it is about half.
      const share = fixed === undefined && hasBounds ? 0.5 : 1;
      const first = await run(sd, samples, fixed ?? -1, (f) => onProgress(f * share));
      if (fixed !== undefined || !hasBounds) return first;
      const found = new Set(first.map((t) => t.speaker)).size;
      const clamped = Math.min(bounds.maxSpeakers ?? Infinity, Math.max(bounds.minSpeakers ?? 1, found));
      if (found === 0 || clamped === found) {
        onProgress(1); // no second pass after all
        return first;
      }
      return run(sd, samples, clamped, (f) => onProgress(share + f * (1 - share)));
    },
  };
}
