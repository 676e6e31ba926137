import type { TaskError, TaskErrorCode } from '../contract/task-error.ts';
import type { TaskRecord } from '../tasks/task-record.ts';
import type { TaskProgress } from '../tasks/task-service-types.ts';
import type { Stage, TaskStatus } from '../contract/status.ts';
import type { TaskParams } from '../contract/task-params.ts';
import type { TranscriptResult } from '../contract/transcript.ts';
import type { Selectable, Updateable } from 'kysely';
import type { TaskRow } from './tables.ts';

/** A row as SQLite returns it. */
export type SelectedTaskRow = Selectable<TaskRow>;

/** Every column but `result`, which can be large and which polling and listing never need. */
export const LIGHT_COLUMNS = [
  'id', 'status', 'progress_stage', 'progress_percentage', 'progress_message', 'file_name', 'media_path', 'media_duration',
  'params', 'language', 'language_probability', 'error_code', 'error_user_message', 'error_technical_detail', 'attempts',
  'owner', 'created_at', 'started_at', 'completed_at', 'updated_at',
] as const satisfies ReadonlyArray<keyof TaskRow>;

/** A row read without its result. */
export type LightTaskRow = Pick<SelectedTaskRow, (typeof LIGHT_COLUMNS)[number]>;

/** The columns a progress poll reads: a third of the row, and no JSON to parse. */
export const PROGRESS_COLUMNS = [
  'id', 'status', 'progress_stage', 'progress_percentage', 'error_code', 'error_user_message', 'error_technical_detail', 'owner',
] as const satisfies ReadonlyArray<keyof TaskRow>;

/** A row read with PROGRESS_COLUMNS. */
export type ProgressTaskRow = Pick<SelectedTaskRow, (typeof PROGRESS_COLUMNS)[number]>;

/** Maps a progress row to the polled fields of a task. */
export function rowToProgress(row: ProgressTaskRow): TaskProgress {
  return {
    id: row.id,
    status: row.status as TaskStatus,
    stage: row.progress_stage as Stage,
    percentage: row.progress_percentage,
    error: rowError(row),
    owner: row.owner,
  };
}

/**
 * Maps a row to a TaskRecord. `result` is an own enumerable getter (so spreading and JSON still
 * see it) that parses the JSON on first access: most readers never touch it.
 */
export function rowToRecord(row: LightTaskRow & { result: string | null }): TaskRecord {
  let parsed: TranscriptResult | null | undefined;
  return {
    id: row.id,
    status: row.status as TaskStatus,
    stage: row.progress_stage as Stage,
    percentage: row.progress_percentage,
    message: row.progress_message,
    fileName: row.file_name,
    mediaPath: row.media_path,
    mediaDuration: row.media_duration,
    params: JSON.parse(row.params) as TaskParams,
    language: row.language,
    languageProbability: row.language_probability,
    get result(): TranscriptResult | null {
      if (parsed === undefined) {
        const json = row.result;
        parsed = json === null ? null : (JSON.parse(json) as TranscriptResult);
      }
      return parsed;
    },
    error: rowError(row),
    attempts: row.attempts,
    owner: row.owner,
    createdAt: row.created_at,
    startedAt: row.started_at,
    completedAt: row.completed_at,
    updatedAt: row.updated_at,
  };
}

function rowError(row: Pick<LightTaskRow, 'error_code' | 'error_user_message' | 'error_technical_detail'>): TaskError | null {
  if (row.error_code === null) return null;
  return {
    code: row.error_code as TaskErrorCode,
    userMessage: row.error_user_message ?? '',
    technicalDetail: row.error_technical_detail ?? '',
  };
}

/** The columns a TaskRecord patch touches (only keys present in the patch). */
export function patchToColumns(patch: Partial<TaskRecord>): Updateable<TaskRow> {
  const c: Updateable<TaskRow> = {};
  if (patch.status !== undefined) c.status = patch.status;
  if (patch.stage !== undefined) c.progress_stage = patch.stage;
  if (patch.percentage !== undefined) c.progress_percentage = Math.round(patch.percentage);
  if (patch.message !== undefined) c.progress_message = patch.message;
  if (patch.fileName !== undefined) c.file_name = patch.fileName;
  if (patch.mediaPath !== undefined) c.media_path = patch.mediaPath;
  if (patch.mediaDuration !== undefined) c.media_duration = patch.mediaDuration;
  if (patch.params !== undefined) c.params = JSON.stringify(patch.params);
  if (patch.language !== undefined) c.language = patch.language;
  if (patch.languageProbability !== undefined) c.language_probability = patch.languageProbability;
  if (patch.result !== undefined) c.result = patch.result === null ? null : JSON.stringify(patch.result);
  if (patch.error !== undefined) {
    c.error_code = patch.error?.code ?? null;
    c.error_user_message = patch.error?.userMessage ?? null;
    c.error_technical_detail = patch.error?.technicalDetail ?? null;
  }
  if (patch.attempts !== undefined) c.attempts = patch.attempts;
  if (patch.owner !== undefined) c.owner = patch.owner;
  if (patch.startedAt !== undefined) c.started_at = patch.startedAt;
  if (patch.completedAt !== undefined) c.completed_at = patch.completedAt;
  if (patch.updatedAt !== undefined) c.updated_at = patch.updatedAt;
  return c;
}
