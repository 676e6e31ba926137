import { statSync } from 'node:fs';
import type { Config } from '../config.ts';
import { resolveModelPath } from '../model-path.ts';

/** One model this server may run. */
export interface ServedModel {
  /** The short name clients use (`base.en`), also the OpenAI model id. */
  id: string;
  path: string;
  /** File size, the estimate of what one worker holds for it (null while the file is missing). */
  bytes: number | null;
  /** False for English-only models (`*.en`), which cannot translate or take another language. */
  multilingual: boolean;
}

/** The OpenAI name that stands for the default model. */
export const DEFAULT_ALIAS = 'whisper-1';

/** The models of WHISPER_MODELS plus WHISPER_MODEL (the default), by id. */
export interface ModelCatalog {
  readonly defaultModel: ServedModel;
  readonly models: readonly ServedModel[];
  /** The model a request names: none, '' or `whisper-1` is the default; undefined when not served here. */
  resolve(requested: string | undefined): ServedModel | undefined;
}

// English-only ggml files are named `*.en` (`base.en`, `tiny.en-q5_1`).
const englishOnly = (id: string) => /\.en($|[-_.])/.test(id);

function served(entry: string, modelsDir: string): ServedModel {
  const resolved = resolveModelPath({ WHISPER_MODEL: entry, MODELS_DIR: modelsDir });
  let bytes: number | null = null;
  try {
    bytes = statSync(resolved.path).size;
  } catch {
    // A missing file is reported when a worker tries to load it (MODEL_UNAVAILABLE), not here.
  }
  return { id: resolved.name, path: resolved.path, bytes, multilingual: !englishOnly(resolved.name) };
}

/** Builds the catalog; a name given twice (as a name and as a path) is listed once. */
export function createModelCatalog(config: Pick<Config, 'WHISPER_MODEL' | 'WHISPER_MODELS' | 'MODELS_DIR'>): ModelCatalog {
  const defaultModel = served(config.WHISPER_MODEL, config.MODELS_DIR);
  const models = [defaultModel];
  for (const entry of config.WHISPER_MODELS) {
    const model = served(entry, config.MODELS_DIR);
    if (!models.some((m) => m.id === model.id)) models.push(model);
  }
  return {
    defaultModel,
    models,
    resolve(requested) {
      const name = requested?.trim() ?? '';
      if (name === '' || name === DEFAULT_ALIAS) return defaultModel;
      const id = name.replace(/\.bin$/, '').replace(/^ggml-/, '');
      return models.find((m) => m.id === id);
    },
  };
}
