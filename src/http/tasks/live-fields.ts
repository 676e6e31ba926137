import { stageProgressOf } from '../../tasks/progress.ts';
import type { TaskRecord } from '../../tasks/task-record.ts';
import type { TaskService } from '../../tasks/task-service-types.ts';

/** Beyond the contract: how far the current stage is, and the seconds the task probably still needs. */
export interface LiveFields {
  stage_progress: number | null;
  eta_seconds: number | null;
}

/**
 * The live fields of a task for polling and the task view. The stored row has the stage and
 * percentage (written at most once a second); the service's in-memory step adds the stage's own
 * progress and the estimate while it runs, and the queue gives the estimate while it waits.
 */
export async function liveFields(task: Pick<TaskRecord, 'id' | 'status' | 'stage' | 'percentage'>, tasks: Pick<TaskService, 'liveProgress' | 'queueInfo'>): Promise<LiveFields> {
  switch (task.status) {
    case 'completed':
      return { stage_progress: 100, eta_seconds: 0 };
    case 'queued': {
      const eta = (await tasks.queueInfo(task.id))?.etaSeconds;
      return { stage_progress: 0, eta_seconds: eta === undefined || eta === null ? null : Math.round(eta) };
    }
    case 'processing': {
      const step = tasks.liveProgress?.(task.id);
      // A step of a later stage than the row shows would not match progress_stage: derive from the row then.
      const sameStage = step !== undefined && step.stage === task.stage;
      return {
        stage_progress: sameStage && step.stageProgress !== undefined ? step.stageProgress : stageProgressOf(task.stage, task.percentage),
        eta_seconds: step?.etaSeconds ?? null,
      };
    }
    default:
      return { stage_progress: null, eta_seconds: null };
  }
}

/** Adds the live fields to an already serialized JSON object (the cached polling body). */
export function withLiveFields(json: string, fields: LiveFields): string {
  return `${json.slice(0, -1)},"stage_progress":${fields.stage_progress},"eta_seconds":${fields.eta_seconds}}`;
}
