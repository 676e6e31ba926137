// `whisper-tasks transcribe [options] FILE` (or `npm run -s transcribe -- …`): transcribes one file through a
// one-worker pool, so that even a native crash ends in a clean one-line message. The transcript goes to
// stdout or --output, progress to a TTY stderr.
import { writeFile } from 'node:fs/promises';
import { ConfigError, loadConfig } from '../config.ts';
import { createWorkerPool } from '../engine/pool/worker-pool.ts';
import { renderTranscript } from '../formats/render.ts';
import { taskParamsFor } from './model-check.ts';
import { createProgressBar, remainingSeconds } from './progress-bar.ts';
import { CliError, parseTranscribeArgs } from './transcribe-args.ts';
import { loggerFrom } from '../logger.ts';

async function main(argv: string[]): Promise<number> {
  const config = loadConfig(process.env);
  const args = parseTranscribeArgs(argv, config, process.env);
  const params = await taskParamsFor(args);
  const bar = createProgressBar(process.stderr);
  const pool = createWorkerPool({
    workers: 1,
    threads: args.threads,
    modelPath: args.modelPath,
    libPath: config.WHISPER_LIB_PATH || undefined,
    vadModelPath: args.vadModelPath,
    taskTimeoutMs: config.TASK_TIMEOUT_MS,
    entry: args.workerEntry,
    restartBackoffMs: { initial: 60_000, max: 60_000 }, // one file, one attempt: never retry a failed load
    log: loggerFrom((level, fields, message) => {
      if (args.verbose) process.stderr.write(`[${level}] ${message} ${JSON.stringify(fields)}\n`);
    }),
  });

  let label = 'loading model';
  let percent: number | undefined;
  let startedAt = 0;
  const eta = () => (percent === undefined ? null : remainingSeconds(percent, (Date.now() - startedAt) / 1000));
  const redraw = setInterval(() => bar.update(label, percent, eta()), 500);
  bar.update(label);
  const interrupt = () => {
    pool.cancel('cli');
  };
  process.once('SIGINT', interrupt);
  try {
    const outcome = await pool.run({
      taskId: 'cli',
      mediaPath: args.file,
      params,
      onStarted: () => {
        label = 'transcribing';
        percent = 0;
        startedAt = Date.now();
        bar.update(label, percent);
      },
      onProgress: (p) => {
        percent = Math.max(percent ?? 0, p);
        bar.update(label, percent, eta());
      },
    });
    bar.clear();
    if (!outcome.ok) {
      const { code, userMessage, technicalDetail } = outcome.error;
      if (args.verbose) process.stderr.write(`${technicalDetail}\n`);
      const detail = technicalDetail.split('\n')[0]?.slice(0, 300);
      throw new CliError(`${code}: ${userMessage}${detail ? ` (${detail})` : ''}`, code === 'CANCELLED' ? 130 : 1);
    }
    const rendered = renderTranscript(outcome.result, args.format, { task: params.task, temperature: params.temperature });
    const text = rendered === '' || rendered.endsWith('\n') ? rendered : `${rendered}\n`;
    if (args.output === undefined) {
      process.stdout.write(text);
    } else {
      await writeFile(args.output, text).catch((error: unknown) => {
        throw new CliError(`cannot write ${args.output}: ${(error as Error).message}`);
      });
      if (process.stderr.isTTY) process.stderr.write(`wrote ${args.output}\n`);
    }
    return 0;
  } finally {
    clearInterval(redraw);
    process.off('SIGINT', interrupt);
    await pool.close();
  }
}

main(process.argv.slice(2)).then(
  (status) => {
    process.exitCode = status;
  },
  (error: unknown) => {
    if (error instanceof CliError && error.exitCode === 0) {
      process.stdout.write(`${error.message}\n`);
      return;
    }
    const known = error instanceof CliError || error instanceof ConfigError;
    process.stderr.write(`transcribe: ${known ? (error as Error).message : String((error as Error)?.stack ?? error)}\n`);
    process.exitCode = error instanceof CliError ? error.exitCode : 1;
  },
);
