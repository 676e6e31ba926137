import type { ModelCatalog } from '../../models/model-catalog.ts';
import { DEFAULT_ALIAS } from '../../models/model-catalog.ts';
import type { Transcriber } from '../../tasks/types.ts';
import type { TaskParams } from '../../contract/task-params.ts';
import type { AppDeps } from '../app-deps.ts';
import { AppError } from '../app-error.ts';

/** The model a request picked: its id for TaskParams (undefined: the default) and what languages it takes. */
export interface SelectedModel {
  model: string | undefined;
  info: ReturnType<Transcriber['modelInfo']>;
}

/** The ids a client may name: `whisper-1` (the default) and every served model. */
export function modelIds(catalog: ModelCatalog): string[] {
  return [DEFAULT_ALIAS, ...catalog.models.map((m) => m.id)];
}

/**
 * Checks a request's `model` field against WHISPER_MODELS: none, '' or `whisper-1` is the default
 * (WHISPER_MODEL); an unknown name is 400 MODEL_NOT_FOUND with the list of what is served.
 */
export function selectModel(deps: Pick<AppDeps, 'models' | 'engine'>, requested: unknown): SelectedModel {
  const loaded = deps.engine.modelInfo();
  const name = typeof requested === 'string' ? requested.trim() : requested === undefined || requested === null ? '' : String(requested);
  const catalog = deps.models;
  const selected = catalog?.resolve(name);
  if (catalog && selected) {
    const byName = { name: selected.id, multilingual: selected.multilingual, type: '' };
    // The default's own report once a worker has loaded it; until then (and for the others) what its name says.
    return selected === catalog.defaultModel ? { model: undefined, info: loaded ?? byName } : { model: selected.id, info: byName };
  }
  // Without a catalog (an app built around a bare engine) only the engine's own model is served.
  if (!catalog && (name === '' || name === DEFAULT_ALIAS || name === loaded?.name)) return { model: undefined, info: loaded };
  const available = catalog ? modelIds(catalog) : [DEFAULT_ALIAS, ...(loaded ? [loaded.name] : [])];
  throw new AppError(400, 'MODEL_NOT_FOUND', `The model "${name.slice(0, 100)}" is not served here. Available: ${available.join(', ')}.`, [
    { field: 'model', message: 'not served here', available },
  ]);
}

/** The task options with the picked model recorded (left out for the default, as before). */
export function withModel(params: TaskParams, model: string | undefined): TaskParams {
  return model === undefined ? params : { ...params, model };
}
