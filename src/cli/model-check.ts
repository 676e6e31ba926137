import { readModelHeader } from '../engine/native/model-header.ts';
import { AppError } from '../http/app-error.ts';
import { parseTaskForm } from '../http/intake/task-params-schema.ts';
import type { TaskParams } from '../contract/task-params.ts';
import { CliError, type TranscribeArgs } from './transcribe-args.ts';

// whisper.cpp's rule for a multilingual vocabulary (see engine/native/model-header.ts).
const MULTILINGUAL_VOCAB = 51865;

/**
 * The task options, checked against the model as the HTTP API checks them (same schema, same
 * refusal): an English-only model refuses another language or translation before any work starts.
 * A file that is not a readable ggml model is left for the worker to report.
 */
export async function taskParamsFor(args: TranscribeArgs): Promise<TaskParams> {
  const header = await readModelHeader(args.modelPath).catch(() => null);
  const model = header ? { name: args.modelPath.split('/').pop() ?? args.modelPath, multilingual: header.nVocab >= MULTILINGUAL_VOCAB, type: '' } : null;
  const fields: Record<string, string> = {
    language: args.language, task: args.task, vad: String(args.vad), word_timestamps: String(args.wordTimestamps),
  };
  if (args.prompt !== undefined) fields.initial_prompt = args.prompt;
  try {
    return parseTaskForm(fields, model);
  } catch (error) {
    if (error instanceof AppError) throw new CliError(`${error.code}: ${error.message}`, 1);
    throw error;
  }
}
