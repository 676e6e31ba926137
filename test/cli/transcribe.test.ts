import { execFile, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT } from '../helpers/paths.ts';

const CLI = path.join(ROOT, 'src/cli/transcribe.ts');
const FAKE = path.join(ROOT, 'test/helpers/fake-worker.ts');
let dir: string;
let model: string;

interface Run { code: number | null; stdout: string; stderr: string }
/** Runs the command as a user would (without npm's set-up step), with a data folder that holds no model. */
function transcribe(args: string[], env: Record<string, string> = {}): Promise<Run> {
  const base: NodeJS.ProcessEnv = { ...process.env, DATA_DIR: path.join(dir, 'data') };
  delete base.WHISPER_MODEL;
  return new Promise((resolve) => {
    execFile(process.execPath, ['--import', 'tsx', CLI, ...args], { cwd: ROOT, env: { ...base, ...env } }, (error, stdout, stderr) => {
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : null) : 0, stdout, stderr });
    });
  });
}
const media = (name: string) => {
  const file = path.join(dir, name);
  writeFileSync(file, 'not really audio');
  return file;
};

beforeAll(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'transcribe-cli-'));
  model = path.join(dir, 'model.bin');
  writeFileSync(model, 'fake');
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('transcribe CLI', () => {
  it('prints usage with --help', async () => {
    const run = await transcribe(['--help']);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('usage: whisper-tasks transcribe');
  });

  it('fails with one line when the file does not exist', async () => {
    const run = await transcribe(['--model', model, path.join(dir, 'missing.wav')]);
    expect(run.code).toBe(1);
    expect(run.stderr.trim().split('\n')).toEqual([expect.stringMatching(/^transcribe: no such file: .*missing\.wav$/)]);
  });

  it('points to the model download command when no model is there', async () => {
    const run = await transcribe([media('ok')]);
    expect(run.code).toBe(1);
    expect(run.stderr.trim().split('\n')).toHaveLength(1);
    expect(run.stderr).toContain(path.join(dir, 'data/models/ggml-base.en.bin'));
    expect(run.stderr).toContain('npm run models:download -- base.en');
  });

  it('rejects an unknown format with a usage status', async () => {
    const run = await transcribe(['--format', 'docx', '--model', model, media('ok')]);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/^transcribe: unknown --format 'docx'/);
  });

  it('prints the transcript as JSON on stdout and nothing on a non-TTY stderr', async () => {
    const run = await transcribe(['--model', model, '--worker-entry', FAKE, media('ok')]);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const result = JSON.parse(run.stdout) as { text: string; segments: unknown[] };
    expect(result.text).toMatch(/^done ok by \d+$/);
    expect(result.segments).toHaveLength(1);
  });

  it('prints plain text with --format text', async () => {
    const run = await transcribe(['--format', 'text', '--model', model, '--worker-entry', FAKE, media('ok')]);
    expect(run.code).toBe(0);
    expect(run.stdout).toBe('done ok\n');
  });

  it('prints SubRip with --format srt', async () => {
    const run = await transcribe(['--format', 'srt', '--model', model, '--worker-entry', FAKE, media('ok')]);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^1\r?\n00:00:00,000 --> 00:00:01,000\r?\ndone ok\r?\n/);
  });

  it('reports a worker crash as one line and a failing status', async () => {
    const run = await transcribe(['--model', model, '--worker-entry', FAKE, media('segv')]);
    expect(run.code).toBe(1);
    expect(run.stdout).toBe('');
    expect(run.stderr.trim().split('\n')).toEqual([expect.stringMatching(/^transcribe: WORKER_CRASHED: .*SIGSEGV/)]);
  });

  it('cancels on Ctrl-C (SIGINT to its process group) and exits 130, the worker answering the cancel', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', CLI, '--verbose', '--model', model, '--worker-entry', FAKE, media('hang')], {
      cwd: ROOT, detached: true, stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      stderr += chunk;
      // As a terminal would: the whole foreground group gets the signal (workers included, were they in it).
      if (chunk.includes('worker ready')) process.kill(-child.pid!, 'SIGINT');
    });
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    expect(stderr.trim().split('\n').at(-1)).toMatch(/^transcribe: CANCELLED: .*fake: aborted/);
    expect(code).toBe(130);
  });
});
