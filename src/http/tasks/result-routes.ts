import type { Context } from 'hono';
import * as v from 'valibot';
import { attachmentDisposition, downloadFileName } from '../../formats/download-name.ts';
import { contentTypeFor, RESULT_FORMATS, renderTranscript } from '../../formats/render.ts';
import type { TaskRecord } from '../../tasks/task-record.ts';
import type { AppEnv } from '../app-env.ts';
import { AppError } from '../app-error.ts';
import { progressJson } from './task-json.ts';
import { boolField, intField, parseInput, rejectUnknownFields } from '../validation.ts';

const QUERY_FIELDS = ['format', 'download', 'max_line_chars', 'max_lines'];

/** Query of GET /tasks/:id/result (the OpenAPI document lists it). */
export const ResultQuerySchema = v.object({
  format: v.optional(v.picklist(RESULT_FORMATS, `must be one of ${RESULT_FORMATS.join(', ')}`), 'json'),
  download: v.optional(boolField),
  max_line_chars: v.optional(intField(10, 1000)),
  max_lines: v.optional(intField(1, 20)),
});

/**
 * GET /tasks/:id/result?format=json|verbose_json|text|srt|vtt|tsv[&download=1][&max_line_chars=N][&max_lines=N]:
 * 400 for an unknown format or option, 409 TASK_NOT_COMPLETED until the task is completed.
 */
export function resultHandler(find: (id: string) => Promise<TaskRecord>) {
  return async (c: Context<AppEnv>) => {
    const task = await find(c.req.param('id') ?? '');
    const raw = c.req.query();
    rejectUnknownFields(raw, QUERY_FIELDS, 'query parameter');
    const query = parseInput(ResultQuerySchema, raw);
    if (task.status !== 'completed' || !task.result) {
      throw new AppError(409, 'TASK_NOT_COMPLETED', `The task is ${task.status}; its result exists once it is completed.`, progressJson(task));
    }
    const hasWords = task.result.segments.some((s) => (s.words?.length ?? 0) > 0);
    const body = renderTranscript(task.result, query.format, {
      maxLineChars: query.max_line_chars,
      maxLinesPerCue: query.max_lines,
      task: task.params.task,
      temperature: task.params.temperature,
      granularities: hasWords ? ['segment', 'word'] : ['segment'],
    });
    const headers: Record<string, string> = { 'Content-Type': contentTypeFor(query.format) };
    if (query.download) headers['Content-Disposition'] = attachmentDisposition(downloadFileName(task.fileName, query.format));
    return c.body(body, 200, headers);
  };
}
