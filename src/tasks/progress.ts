import { STAGES, type Stage } from './types.ts';

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

/** Per-task progress that only moves forward. */
export interface ProgressTracker {
  current(): ProgressPoint;
  /** Enters a stage at its anchor; null when the stage was not planned, is behind, or changes nothing. */
  enter(stage: Stage): ProgressPoint | null;
  /** Moves forward inside a stage by the fraction of its work done; null when the percentage would not rise. */
  advance(stage: Stage, fraction: number): ProgressPoint | null;
}

/** Creates a tracker; `from` resumes a task that already showed progress (a re-queued one). */
export function createProgressTracker(plan: ProgressPlan, from: ProgressPoint = { stage: 'queued', percentage: 0 }): ProgressTracker {
  const planned = plannedStages(plan);
  let point: ProgressPoint = { ...from };
  const order = (stage: Stage) => STAGES.indexOf(stage);

  const moveTo = (stage: Stage, percentage: number): ProgressPoint | null => {
    if (!planned.includes(stage) || order(stage) < order(point.stage)) return null;
    const next = { stage, percentage: Math.max(point.percentage, percentage) };
    if (next.stage === point.stage && next.percentage === point.percentage) return null;
    point = next;
    return { ...point };
  };

  return {
    current: () => ({ ...point }),
    enter: (stage) => moveTo(stage, STAGE_SPANS[stage][0]),
    advance: (stage, fraction) => moveTo(stage, stagePercentage(stage, fraction)),
  };
}
