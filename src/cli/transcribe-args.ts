import { existsSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import type { Config } from '../config.ts';
import { RESULT_FORMATS, isResultFormat, type ResultFormat } from '../formats/render.ts';
import { USAGE } from './transcribe-usage.ts';

export { USAGE } from './transcribe-usage.ts';

/** Everything the transcribe command needs, resolved and checked. */
export interface TranscribeArgs {
  file: string;
  modelPath: string;
  vadModelPath: string | undefined;
  format: ResultFormat;
  /** Where to write the transcript; stdout when absent. */
  output: string | undefined;
  language: string;
  task: 'transcribe' | 'translate';
  wordTimestamps: boolean;
  prompt: string | undefined;
  vad: boolean;
  threads: number;
  verbose: boolean;
  /** Hidden: another worker entry module (tests use a fake worker). */
  workerEntry: string | undefined;
}

/** A failure the command reports as one line, with its exit status (2: usage, 1: anything else). */
export class CliError extends Error {
  constructor(message: string, readonly exitCode = 1) {
    super(message);
  }
}

/** The format an output file's extension asks for (.txt is text). */
const BY_EXTENSION: Readonly<Record<string, ResultFormat>> = { '.json': 'json', '.txt': 'text', '.srt': 'srt', '.vtt': 'vtt', '.tsv': 'tsv' };

/** A model setting is a path when it names a folder or exists; a bare file name lives in the models folder. */
function modelFile(value: string, modelsDir: string): string {
  if (path.isAbsolute(value) || value.includes('/') || existsSync(value)) return path.resolve(value);
  return path.join(modelsDir, value);
}

function pickFormat(given: string | undefined, output: string | undefined): ResultFormat {
  if (given !== undefined) {
    if (!isResultFormat(given)) throw new CliError(`unknown --format '${given}' (one of ${RESULT_FORMATS.join(', ')})`, 2);
    return given;
  }
  if (output === undefined) return 'json';
  const ext = path.extname(output).toLowerCase();
  const format = BY_EXTENSION[ext];
  if (!format) throw new CliError(`cannot tell the format from '${path.basename(output)}': use .json, .txt, .srt, .vtt or .tsv, or give --format`, 2);
  return format;
}

/** Parses argv (without node and script) against the config; throws CliError with one clear line. */
export function parseTranscribeArgs(argv: string[], config: Config, env: NodeJS.ProcessEnv): TranscribeArgs {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        model: { type: 'string', short: 'm' },
        format: { type: 'string', short: 'f' },
        output: { type: 'string', short: 'o' },
        language: { type: 'string', short: 'l', default: 'auto' },
        task: { type: 'string', default: 'transcribe' },
        'word-timestamps': { type: 'boolean', default: false },
        prompt: { type: 'string' },
        vad: { type: 'boolean', default: false },
        threads: { type: 'string' },
        verbose: { type: 'boolean', default: false },
        'worker-entry': { type: 'string' },
        help: { type: 'boolean', short: 'h', default: false },
      },
    });
  } catch (error) {
    throw new CliError(`${(error as Error).message} (see --help)`, 2);
  }
  const { values, positionals } = parsed;
  if (values.help) throw new CliError(USAGE, 0);
  if (positionals.length !== 1) throw new CliError(`expected exactly one FILE, got ${positionals.length} (see --help)`, 2);
  const format = pickFormat(values.format, values.output);
  const language = values.language.trim().toLowerCase();
  if (!/^(auto|[a-z]{2,3})$/.test(language)) throw new CliError(`--language must be a language code like 'en', or 'auto'`, 2);
  if (values.task !== 'transcribe' && values.task !== 'translate') throw new CliError(`--task must be 'transcribe' or 'translate', got '${values.task}'`, 2);
  if (values.prompt !== undefined && values.prompt.length > 1000) throw new CliError('--prompt must be at most 1000 characters', 2);
  const threadsText = values.threads ?? env.WHISPER_THREADS ?? String(Math.min(4, os.availableParallelism()));
  const threads = Number(threadsText);
  if (!Number.isInteger(threads) || threads < 1) throw new CliError(`--threads must be a whole number ≥ 1, got '${threadsText}'`, 2);

  const file = path.resolve(positionals[0]!);
  if (!existsSync(file)) throw new CliError(`no such file: ${positionals[0]}`);
  if (!statSync(file).isFile()) throw new CliError(`not a file: ${positionals[0]}`);
  const output = values.output === undefined ? undefined : path.resolve(values.output);
  if (output !== undefined && !existsSync(path.dirname(output))) throw new CliError(`no such folder for --output: ${path.dirname(values.output!)}`);

  const modelPath = values.model ? path.resolve(values.model) : modelFile(config.WHISPER_MODEL, config.MODELS_DIR);
  if (!existsSync(modelPath)) {
    throw new CliError(`model not found: ${modelPath}. Download one with \`npm run models:download -- base.en\`, or pass --model PATH`);
  }
  let vadModelPath: string | undefined;
  if (values.vad) {
    vadModelPath = modelFile(config.WHISPER_VAD_MODEL || 'ggml-silero-v6.2.0.bin', config.MODELS_DIR);
    if (!existsSync(vadModelPath)) {
      throw new CliError(`VAD model not found: ${vadModelPath}. Download it with \`npm run models:download -- silero-v6.2.0\`, or set WHISPER_VAD_MODEL`);
    }
  }
  return {
    file, modelPath, vadModelPath, format, output, language, task: values.task, wordTimestamps: values['word-timestamps'],
    prompt: values.prompt, vad: values.vad, threads, verbose: values.verbose,
    workerEntry: values['worker-entry'] ? path.resolve(values['worker-entry']) : undefined,
  };
}
