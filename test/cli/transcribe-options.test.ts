// The transcribe command as a new user meets it (issue 13): a real command without npm's banner,
// --output, --task/--language refused like the HTTP API, --help listing everything, an ETA.
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { remainingSeconds } from '../../src/cli/progress-bar.ts';
import { ROOT, TINY_EN_RANDOM, requireFile } from '../helpers/paths.ts';

const BIN = path.join(ROOT, 'bin/whisper-tasks.mjs');
const FAKE = path.join(ROOT, 'test/helpers/fake-worker.ts');
let dir: string;
let model: string;
let ok: string;

interface Run { code: number | null; stdout: string; stderr: string }
function run(file: string, args: string[]): Promise<Run> {
  const env: NodeJS.ProcessEnv = { ...process.env, DATA_DIR: path.join(dir, 'data') };
  delete env.WHISPER_MODEL;
  return new Promise((resolve) => {
    execFile(file, args, { cwd: ROOT, env, timeout: 120_000 }, (error, stdout, stderr) => {
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : null) : 0, stdout, stderr });
    });
  });
}
const command = (args: string[]) => run(process.execPath, [BIN, ...args]);

beforeAll(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'transcribe-options-'));
  model = path.join(dir, 'model.bin');
  writeFileSync(model, 'fake');
  ok = path.join(dir, 'ok');
  writeFileSync(ok, 'not really audio');
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('whisper-tasks transcribe', { timeout: 180_000 }, () => {
  it('is a real command: `npx whisper-tasks transcribe` writes only the transcript to stdout', async () => {
    const viaNpx = await run('npx', ['--no', 'whisper-tasks', 'transcribe', '--format', 'srt', '--model', model, '--worker-entry', FAKE, ok]);
    expect(viaNpx.code).toBe(0);
    expect(viaNpx.stdout).toMatch(/^1\r?\n00:00:00,000 --> 00:00:01,000\r?\ndone ok\r?\n/);
    expect(viaNpx.stdout).not.toMatch(/^> /m); // no "> whisper-tasks@… transcribe" banner
    const unknown = await command(['frobnicate']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/^whisper-tasks: unknown command 'frobnicate'/);
  });

  it('writes --output in the format its extension names, and nothing to stdout', async () => {
    const out = path.join(dir, 'talk.vtt');
    const r = await command(['transcribe', '-o', out, '--model', model, '--worker-entry', FAKE, ok]);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('');
    expect(readFileSync(out, 'utf8')).toMatch(/^WEBVTT/);
    const odd = await command(['transcribe', '-o', path.join(dir, 'talk.docx'), '--model', model, ok]);
    expect(odd.code).toBe(2);
    expect(odd.stderr).toMatch(/cannot tell the format from 'talk\.docx'/);
  });

  it('refuses a language or translation an English-only model cannot do, as the HTTP API does', async () => {
    requireFile(TINY_EN_RANDOM);
    const fr = await command(['transcribe', '--language', 'fr', '--model', TINY_EN_RANDOM, ok]);
    expect(fr.code).toBe(1);
    expect(fr.stdout).toBe('');
    expect(fr.stderr.trim().split('\n')).toEqual([expect.stringMatching(/^transcribe: LANGUAGE_UNSUPPORTED: .*English-only; language "fr"/)]);
    const translate = await command(['transcribe', '--task', 'translate', '--model', TINY_EN_RANDOM, ok]);
    expect(translate.code).toBe(1);
    expect(translate.stderr).toMatch(/^transcribe: LANGUAGE_UNSUPPORTED: .*cannot translate/);
    const bad = await command(['transcribe', '--task', 'summarise', '--model', model, ok]);
    expect(bad.code).toBe(2);
  });

  it('lists every option in --help', async () => {
    const r = await command(['transcribe', '--help']);
    expect(r.code).toBe(0);
    for (const option of ['--model', '--format', '--output', '--language', '--task', '--word-timestamps', '--prompt', '--vad', '--threads', '--verbose', '--help']) {
      expect(r.stdout).toContain(option);
    }
    expect(r.stdout).toContain('exit status');
  });

  it('estimates the time left from the share done and the time taken', () => {
    expect(remainingSeconds(25, 10)).toBe(30);
    expect(remainingSeconds(2, 10)).toBeNull(); // too early to say
    expect(remainingSeconds(100, 10)).toBeNull();
  });
});
