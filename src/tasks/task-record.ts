import type { TaskError } from '../contract/task-error.ts';
import type { Stage, TaskStatus } from '../contract/status.ts';
import type { TaskParams } from '../contract/task-params.ts';
import type { Segment, TranscriptResult } from '../contract/transcript.ts';

/** A task as the service layer sees it (the db layer maps rows to this). Times are ISO 8601 UTC. */
export interface TaskRecord {
  id: string;
  status: TaskStatus;
  stage: Stage;
  percentage: number;
  message: string;
  fileName: string;
  mediaPath: string | null; // null once the media file is deleted
  mediaDuration: number | null; // seconds, once probed
  params: TaskParams;
  language: string | null;
  languageProbability: number | null;
  result: TranscriptResult | null;
  error: TaskError | null;
  attempts: number;
  owner: string | null; // the API key (id, never the secret) that created it
  createdAt: string;
  startedAt: string | null;
  completedAt: string | null;
  updatedAt: string;
}

/** What a client submits, after validation and after the media is on disk. */
export interface NewTask {
  fileName: string;
  mediaPath: string;
  mediaDuration: number | null;
  params: TaskParams;
  owner: string | null;
  /** Where the task's webhooks go besides WEBHOOK_URL, and the origin its links are built on (src/webhooks). */
  webhook?: { callbackUrl: string | null; origin: string | null };
}

/** Filter and page for listing. */
export interface TaskQuery {
  status?: TaskStatus;
  owner?: string | null;
  limit: number;
  offset: number;
}

/** Segments received so far for a running task (saved as they arrive). */
export type PartialSegments = Segment[];
