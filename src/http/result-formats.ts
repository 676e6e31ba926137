import type { TaskRecord } from '../tasks/task-record.ts';
import type { TranscriptResult } from '../tasks/types.ts';
import { resultJson } from './task-json.ts';

/** A rendered result: the body and its media type. */
export interface RenderedResult {
  contentType: string;
  body: string;
}

/** Renders a completed task's transcript in one format. */
export type ResultRenderer = (result: TranscriptResult, task: TaskRecord) => RenderedResult;

/**
 * The formats GET /tasks/:id/result serves, by `format` query value. SEAM: the results issue
 * adds srt, vtt, txt, tsv and verbose_json from src/formats here.
 */
export function createResultFormats(): Map<string, ResultRenderer> {
  return new Map<string, ResultRenderer>([
    ['json', (result) => ({ contentType: 'application/json; charset=utf-8', body: JSON.stringify(resultJson(result)) })],
  ]);
}
