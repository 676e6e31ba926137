import type { ParamsJson, ProgressJson, TaskDetailJson, TaskSummaryJson } from '../../contract/task-json.ts';
import { errorJson } from '../../contract/task-error.ts';
import type { TaskLinks } from '../../contract/task-links.ts';
import type { TaskParams } from '../../contract/task-params.ts';
import type { Segment } from '../../contract/transcript.ts';
import type { TaskRecord } from '../../tasks/task-record.ts';
import { segmentJson, transcriptJson } from '../../formats/json.ts';

// Builders of the task bodies; their shapes are the contract's (src/contract/task-json.ts).

/** The polling fallback body, exactly as the progress contract names it. */
export function progressJson(task: Pick<TaskRecord, 'id' | 'status' | 'percentage' | 'stage' | 'error'>): ProgressJson {
  return {
    identifier: task.id,
    status: task.status,
    progress_percentage: task.percentage,
    progress_stage: task.stage,
    error: task.error && errorJson(task.error),
  };
}

/** A task's options in snake_case. */
export function paramsJson(params: TaskParams): ParamsJson {
  return {
    language: params.language,
    task: params.task,
    vad: params.vad,
    word_timestamps: params.wordTimestamps,
    diarize: params.diarize,
    num_speakers: params.numSpeakers ?? null,
    min_speakers: params.minSpeakers ?? null,
    max_speakers: params.maxSpeakers ?? null,
    initial_prompt: params.initialPrompt ?? null,
    temperature: params.temperature,
  };
}

/** The short form used in lists. */
export function taskSummaryJson(task: TaskRecord, links: TaskLinks): TaskSummaryJson {
  return {
    ...progressJson(task),
    progress_message: task.message,
    file_name: task.fileName,
    media_duration: task.mediaDuration,
    language: task.language,
    attempts: task.attempts,
    created_at: task.createdAt,
    started_at: task.startedAt,
    completed_at: task.completedAt,
    updated_at: task.updatedAt,
    links,
  };
}

/** Extra live facts for the full task view. */
export interface TaskLiveInfo {
  queue?: { position: number; etaSeconds: number | null };
  partialSegments?: Segment[];
}

/** The whole task: summary, options, result once completed, partial segments while running, queue place while queued (the live entries are the route's). */
export function taskDetailJson(task: TaskRecord, links: TaskLinks, live: TaskLiveInfo = {}): Omit<TaskDetailJson, 'stage_progress' | 'eta_seconds'> {
  return {
    ...taskSummaryJson(task, links),
    language_probability: task.languageProbability,
    params: paramsJson(task.params),
    queue: live.queue ? { position: live.queue.position, eta_seconds: live.queue.etaSeconds } : null,
    partial_segments: live.partialSegments ? live.partialSegments.map(segmentJson) : null,
    result: task.result ? transcriptJson(task.result) : null,
  };
}
