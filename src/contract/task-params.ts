import * as v from 'valibot';
import type { ModelInfo } from './model-info.ts';

/** What a task does with the speech: write it down, or translate it into English. */
export const TASK_KINDS = ['transcribe', 'translate'] as const;

/** The speaker counts a client may give (num_speakers, min_speakers, max_speakers). */
export const SPEAKER_COUNT = { min: 1, max: 20 } as const;

/** Longest initial prompt, in characters. */
export const MAX_PROMPT_CHARS = 1000;

/** A language as a client names it: an ISO 639 code, or `auto` to detect it. */
export const LANGUAGE_PATTERN = /^(auto|[a-z]{2,3})$/;

/** Options a client chose for one task, as the server keeps them (validated at the HTTP boundary first). */
export const TaskParamsSchema = v.object({
  language: v.string(), // ISO code or 'auto'
  task: v.picklist(TASK_KINDS),
  vad: v.boolean(),
  wordTimestamps: v.boolean(),
  diarize: v.boolean(),
  // Exact number of speakers, when the client knows it (overrides min/max).
  numSpeakers: v.optional(v.number()),
  minSpeakers: v.optional(v.number()),
  maxSpeakers: v.optional(v.number()),
  initialPrompt: v.optional(v.string()),
  temperature: v.number(),
  // The model id (WHISPER_MODELS) a client asked for; absent for the default model (src/models).
  model: v.optional(v.string()),
});
/** Options a client chose for one task. */
export type TaskParams = v.InferOutput<typeof TaskParamsSchema>;

/** Options a client leaves out get these values. */
export const DEFAULT_TASK_PARAMS = {
  language: 'auto',
  task: 'transcribe',
  vad: false,
  wordTimestamps: true,
  diarize: false,
  temperature: 0,
} as const satisfies TaskParams;

/** Options as a client may give them: any of them left out. */
export type TaskOptions = Partial<Omit<TaskParams, 'model'>>;

/** A client's options completed with the defaults; an empty initial prompt counts as none. */
export function withDefaults(options: TaskOptions): TaskParams {
  return {
    language: options.language ?? DEFAULT_TASK_PARAMS.language,
    task: options.task ?? DEFAULT_TASK_PARAMS.task,
    vad: options.vad ?? DEFAULT_TASK_PARAMS.vad,
    wordTimestamps: options.wordTimestamps ?? DEFAULT_TASK_PARAMS.wordTimestamps,
    diarize: options.diarize ?? DEFAULT_TASK_PARAMS.diarize,
    temperature: options.temperature ?? DEFAULT_TASK_PARAMS.temperature,
    ...(options.numSpeakers !== undefined && { numSpeakers: options.numSpeakers }),
    ...(options.minSpeakers !== undefined && { minSpeakers: options.minSpeakers }),
    ...(options.maxSpeakers !== undefined && { maxSpeakers: options.maxSpeakers }),
    ...(options.initialPrompt !== undefined && options.initialPrompt !== '' && { initialPrompt: options.initialPrompt }),
  };
}

/** Why a set of options cannot be served: the field (in the API's snake_case) when one is to blame, and a sentence. */
export interface ParamsProblem {
  code: 'INVALID_FIELD' | 'LANGUAGE_UNSUPPORTED';
  field?: string;
  message: string;
}

/** Speaker counts that leave no possible count (each is within SPEAKER_COUNT already); null when they agree. */
export function speakerBoundsProblem(options: Pick<TaskOptions, 'numSpeakers' | 'minSpeakers' | 'maxSpeakers'>): ParamsProblem | null {
  const { numSpeakers: exact, minSpeakers: min, maxSpeakers: max } = options;
  const problem = (field: string, message: string): ParamsProblem => ({ code: 'INVALID_FIELD', field, message });
  if (min !== undefined && max !== undefined && min > max) return problem('min_speakers', `must not be greater than max_speakers (${min} > ${max})`);
  if (exact !== undefined && min !== undefined && exact < min) return problem('num_speakers', `must not be less than min_speakers (${exact} < ${min})`);
  if (exact !== undefined && max !== undefined && exact > max) return problem('num_speakers', `must not be greater than max_speakers (${exact} > ${max})`);
  return null;
}

/** What an English-only model cannot do (another language, translation); null when the model can serve the task or is not known yet. */
export function modelProblem(params: Pick<TaskParams, 'language' | 'task'>, model: ModelInfo | null): ParamsProblem | null {
  if (!model || model.multilingual) return null;
  if (params.language !== 'auto' && params.language !== 'en') {
    return { code: 'LANGUAGE_UNSUPPORTED', message: `The loaded model (${model.name}) is English-only; language "${params.language}" is not available.` };
  }
  if (params.task === 'translate') return { code: 'LANGUAGE_UNSUPPORTED', message: `The loaded model (${model.name}) is English-only and cannot translate.` };
  return null;
}
