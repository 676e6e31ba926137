import type { TaskError, TaskErrorCode } from '../contract/task-error.ts';

// The codes and the TaskError shape are schemas in src/contract; this module adds the words people read.

const USER_MESSAGES: Record<TaskErrorCode, string> = {
  AUDIO_DECODE_FAILED: 'The file could not be read as audio. It may be corrupt, truncated or in an unsupported format.',
  NO_AUDIO: 'The file contains no audio that could be transcribed (it is empty, silent or has no audio track).',
  MODEL_UNAVAILABLE: 'The speech model could not be loaded, so nothing can be transcribed right now. An administrator needs to check the model configuration.',
  WORKER_CRASHED: 'The transcription process stopped unexpectedly while working on this file. You can submit it again.',
  TASK_TIMEOUT: 'The transcription took longer than the time allowed and was stopped.',
  CANCELLED: 'The task was cancelled.',
  TOO_MANY_ATTEMPTS: 'The task was interrupted too many times (for example by server restarts) and was given up.',
  PROCESSING_FAILED: 'Something went wrong while transcribing this file.',
  DIARIZATION_FAILED: 'Telling the speakers apart failed for this file (the speaker models may be missing or damaged). Submit it again without diarize, or ask an administrator to check the diarization models.',
};

/** Builds a TaskError with the standard user message for its code. */
export function taskError(code: TaskErrorCode, technicalDetail: string, userMessage?: string): TaskError {
  return { code, userMessage: userMessage ?? USER_MESSAGES[code], technicalDetail };
}

/** An Error that carries a task error code; thrown by engine and audio code. */
export class TaskFailure extends Error {
  readonly code: TaskErrorCode;
  readonly userMessage: string;
  constructor(code: TaskErrorCode, technicalDetail: string, userMessage?: string) {
    super(technicalDetail);
    this.name = 'TaskFailure';
    this.code = code;
    this.userMessage = userMessage ?? USER_MESSAGES[code];
  }

  /** The plain-data form, for IPC and storage. */
  toTaskError(): TaskError {
    return { code: this.code, userMessage: this.userMessage, technicalDetail: this.message };
  }
}
