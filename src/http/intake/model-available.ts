import { resolveModelPath } from '../../model-path.ts';
import type { AppDeps } from '../app-deps.ts';
import { AppError } from '../app-error.ts';
import type { SelectedModel } from './model-field.ts';

/** Seconds a client is asked to wait before trying again while no worker has the model. */
export const MODEL_RETRY_AFTER_S = 30;

/**
 * Refuses a submission with 503 MODEL_UNAVAILABLE while no worker can have the model it needs
 * (its file is missing or will not load): accepted, it would only wait queued with no end in sight.
 * Workers still loading a model that exists are not refused.
 */
export function requireModel(deps: Pick<AppDeps, 'engine' | 'models' | 'config'>, selected: SelectedModel): void {
  const reason = deps.engine.unavailable?.(selected.model);
  if (!reason) return;
  const served = selected.model === undefined ? deps.models?.defaultModel : deps.models?.resolve(selected.model);
  const name = served ? resolveModelPath({ WHISPER_MODEL: served.path, MODELS_DIR: deps.config.MODELS_DIR }).name : resolveModelPath(deps.config).name;
  const error = new AppError(503, 'MODEL_UNAVAILABLE',
    `No speech model is loaded, so nothing can be transcribed right now. An administrator can download it with "npm run models:download -- ${name}" (or fix WHISPER_MODEL); try again after that.`);
  error.headers = { 'Retry-After': String(MODEL_RETRY_AFTER_S) };
  error.logDetail = reason.technicalDetail;
  throw error;
}
