import { STAGES, type Stage } from '../contract/status.ts';

/** Where each stage starts and ends on the 0..100 scale (anchors from the progress contract). */
export const STAGE_SPANS: Readonly<Record<Stage, readonly [number, number]>> = Object.freeze({
  queued: [0, 0],
  transcribing: [10, 40], // the engine's own 0..100 moves the percentage through this span
  aligning: [40, 40],
  diarizing: [60, 80],
  complete: [100, 100],
});

/** What a person reads while a task is in a stage. */
export const STAGE_MESSAGES: Readonly<Record<Stage, string>> = Object.freeze({
  queued: 'Waiting in the queue',
  transcribing: 'Transcribing',
  aligning: 'Aligning word timestamps',
  diarizing: 'Identifying speakers',
  complete: 'Transcription complete',
});

/** A position on the progress scale. */
export interface ProgressPoint {
  stage: Stage;
  percentage: number; // integer 0..100
  /** Integer 0..100 within the current stage (beyond the contract); derived from the percentage when absent. */
  stageProgress?: number;
}

/** The options that decide which optional stages a task passes through. */
export interface ProgressPlan {
  wordTimestamps: boolean;
  diarize: boolean;
}

/** The stages a task with this plan goes through, in order. */
export function plannedStages(plan: ProgressPlan): Stage[] {
  return STAGES.filter((s) => (s !== 'aligning' || plan.wordTimestamps) && (s !== 'diarizing' || plan.diarize));
}

/** Maps a fraction (0..1) of a stage's work onto the whole scale, as an integer. */
export function stagePercentage(stage: Stage, fraction: number): number {
  const [from, to] = STAGE_SPANS[stage];
  const clamped = Number.isFinite(fraction) ? Math.min(1, Math.max(0, fraction)) : 0;
  return Math.floor(from + (to - from) * clamped);
}

/** The share of a stage's span that a percentage stands for, as an integer 0..100 (0 for a span of zero width). */
export function stageProgressOf(stage: Stage, percentage: number): number {
  if (stage === 'complete') return 100;
  const [from, to] = STAGE_SPANS[stage];
  return to > from ? Math.floor((100 * Math.min(to - from, Math.max(0, percentage - from))) / (to - from)) : 0;
}

/** Per-task progress that only moves forward. */
export interface ProgressTracker {
  current(): Required<ProgressPoint>;
  /** Enters a stage at its anchor; null when the stage was not planned, is behind, or changes nothing. */
  enter(stage: Stage): Required<ProgressPoint> | null;
  /**
   * Moves forward inside a stage by the fraction of its work done; null when neither the
   * percentage nor the stage's own progress would rise.
   */
  advance(stage: Stage, fraction: number): Required<ProgressPoint> | null;
}

const wholePercent = (fraction: number) => Math.floor(100 * (Number.isFinite(fraction) ? Math.min(1, Math.max(0, fraction)) : 0));

/** Creates a tracker; `from` resumes a task that already showed progress (a re-queued one). */
export function createProgressTracker(plan: ProgressPlan, from: ProgressPoint = { stage: 'queued', percentage: 0 }): ProgressTracker {
  const planned = plannedStages(plan);
  let point: Required<ProgressPoint> = { stageProgress: stageProgressOf(from.stage, from.percentage), ...from };
  const order = (stage: Stage) => STAGES.indexOf(stage);

  const moveTo = (stage: Stage, percentage: number, stageProgress: number): Required<ProgressPoint> | null => {
    if (!planned.includes(stage) || order(stage) < order(point.stage)) return null;
    const same = stage === point.stage;
    const next = {
      stage,
      percentage: Math.max(point.percentage, percentage),
      stageProgress: same ? Math.max(point.stageProgress, stageProgress) : stageProgress,
    };
    if (same && next.percentage === point.percentage && next.stageProgress === point.stageProgress) return null;
    point = next;
    return { ...point };
  };

  return {
    current: () => ({ ...point }),
    enter: (stage) => moveTo(stage, STAGE_SPANS[stage][0], stage === 'complete' ? 100 : 0),
    advance: (stage, fraction) => moveTo(stage, stagePercentage(stage, fraction), wholePercent(fraction)),
  };
}
