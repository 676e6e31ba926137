import * as v from 'valibot';
import { LANGUAGE_PATTERN, MAX_PROMPT_CHARS, modelProblem, speakerBoundsProblem, SPEAKER_COUNT, TASK_KINDS, withDefaults, type ParamsProblem, type TaskParams } from '../../contract/task-params.ts';
import type { Transcriber } from '../../tasks/types.ts';
import { DIARIZATION_DOWNLOAD } from '../../diarization-models.ts';
import { VAD_DOWNLOAD } from '../../model-path.ts';
import { AppError } from '../app-error.ts';
import { boolField, intField, numberField, parseInput, rejectUnknownFields } from '../validation.ts';

// Reads a task's options from form fields (multipart, or a URL intake's JSON made into strings);
// the defaults and the rules between fields are the contract's (src/contract/task-params.ts).

/** The multipart text fields POST /tasks accepts besides `file`. */
export const TASK_FORM_FIELDS = [
  'language',
  'task',
  'vad',
  'word_timestamps',
  'diarize',
  'num_speakers',
  'min_speakers',
  'max_speakers',
  'initial_prompt',
  'temperature',
  'callback_url',
  'model',
] as const;

const speakerCount = intField(SPEAKER_COUNT.min, SPEAKER_COUNT.max);

/** The text fields of a task form, all optional, as strings in and typed values out. */
export const TaskFormSchema = v.object({
  language: v.optional(
    v.pipe(v.string(), v.trim(), v.toLowerCase(), v.regex(LANGUAGE_PATTERN, 'must be "auto" or a language code such as "en" or "de"')),
  ),
  task: v.optional(v.picklist(TASK_KINDS, 'must be "transcribe" or "translate"')),
  vad: v.optional(boolField),
  word_timestamps: v.optional(boolField),
  diarize: v.optional(boolField),
  num_speakers: v.optional(speakerCount),
  min_speakers: v.optional(speakerCount),
  max_speakers: v.optional(speakerCount),
  initial_prompt: v.optional(v.pipe(v.string(), v.maxLength(MAX_PROMPT_CHARS, `must be at most ${MAX_PROMPT_CHARS} characters`))),
  temperature: v.optional(numberField(0, 1)),
  // Read by the route (src/http/model-field.ts), which checks it against WHISPER_MODELS.
  model: v.optional(v.pipe(v.string(), v.maxLength(200, 'must be at most 200 characters'),
    v.description('A model id from GET /v1/models, or whisper-1 for the default (WHISPER_MODEL)'))),
  // Read by the route (src/http/webhook-target.ts), not a transcription option.
  callback_url: v.optional(v.pipe(v.string(), v.maxLength(2048, 'must be at most 2048 characters'),
    v.description('http(s) URL that gets signed webhooks (Standard Webhooks) for this task; private addresses are refused unless URL_FETCH_ALLOW_HOSTS allows them'))),
});

const STATUS = { INVALID_FIELD: 400, LANGUAGE_UNSUPPORTED: 422 } as const;

// A bad field is a 400 that names it in the details; a contradiction with the model is a 422.
function refuse(problem: ParamsProblem): never {
  const { code, field, message } = problem;
  if (field === undefined) throw new AppError(STATUS[code], code, message);
  throw new AppError(STATUS[code], code, `Invalid value for "${field}": ${message}.`, [{ field, message }]);
}

/** Validates form fields into TaskParams: unknown fields and bad values are 400, contradictions 422. */
export function parseTaskForm(
  fields: Record<string, string>,
  model: ReturnType<Transcriber['modelInfo']> = null,
  canDiarize = false,
  canVad = true,
): TaskParams {
  rejectUnknownFields(fields, ['file', ...TASK_FORM_FIELDS]);
  const form = parseInput(TaskFormSchema, fields);
  const options = {
    language: form.language, task: form.task, vad: form.vad, wordTimestamps: form.word_timestamps, diarize: form.diarize,
    numSpeakers: form.num_speakers, minSpeakers: form.min_speakers, maxSpeakers: form.max_speakers,
    initialPrompt: form.initial_prompt, temperature: form.temperature,
  };
  const bounds = speakerBoundsProblem(options);
  if (bounds) refuse(bounds);
  const params = withDefaults(options);
  const unsupported = modelProblem(params, model);
  if (unsupported) refuse(unsupported);
  if (params.diarize && !canDiarize) {
    // Refused rather than silently skipped: a client asking for speakers must not get a transcript without them.
    throw new AppError(422, 'DIARIZATION_UNAVAILABLE',
      `Speaker labelling (diarize) is not available on this server: its models are not installed. An administrator can fetch them with "${DIARIZATION_DOWNLOAD}"; or submit without diarize.`);
  }
  if (params.vad && !canVad) {
    // Refused here: accepted, it would only fail later as PROCESSING_FAILED when the worker looks for the model.
    throw new AppError(422, 'VAD_UNAVAILABLE',
      `Voice activity detection (vad) is not available on this server: its model is not installed. An administrator can fetch it with "${VAD_DOWNLOAD}"; or submit without vad.`);
  }
  return params;
}
