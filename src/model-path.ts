import { existsSync } from 'node:fs';
import path from 'node:path';
import type { Config } from './config.ts';

/** Where the model is expected, whether it is there, and the name to give the download script. */
export interface ResolvedModel {
  path: string;
  exists: boolean;
  /** The short name (`base.en`) for `npm run models:download -- <name>`. */
  name: string;
}

/**
 * Resolves WHISPER_MODEL: a path (absolute, or containing a slash) is used as given; a bare name
 * such as `base.en`, `ggml-base.en` or `ggml-base.en.bin` is looked up in DATA_DIR/models.
 */
export function resolveModelPath(config: Pick<Config, 'WHISPER_MODEL' | 'MODELS_DIR'>): ResolvedModel {
  const value = config.WHISPER_MODEL.trim();
  const isPath = path.isAbsolute(value) || value.includes('/') || value.includes(path.sep);
  const base = path.basename(value).replace(/\.bin$/, '').replace(/^ggml-/, '');
  const file = isPath ? path.resolve(value) : path.join(config.MODELS_DIR, `ggml-${base}.bin`);
  return { path: file, exists: existsSync(file), name: base };
}

/** The command that fetches the voice-activity (VAD) model. */
export const VAD_DOWNLOAD = 'npm run models:download -- silero-v6.2.0';

/** Where the VAD model is expected (WHISPER_VAD_MODEL, else the downloaded Silero file) and whether it is there. */
export function resolveVadPath(config: Pick<Config, 'WHISPER_VAD_MODEL' | 'MODELS_DIR'>): { path: string; exists: boolean } {
  const file = config.WHISPER_VAD_MODEL
    ? resolveModelPath({ WHISPER_MODEL: config.WHISPER_VAD_MODEL, MODELS_DIR: config.MODELS_DIR }).path
    : path.join(config.MODELS_DIR, 'ggml-silero-v6.2.0.bin');
  return { path: file, exists: existsSync(file) };
}
