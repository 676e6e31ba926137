// A stand-in for src/engine/worker-main.ts that speaks the real IPC protocol without native code,
// so the pool's logic is tested in seconds. It is told what to do by:
//   env FAKE_LOAD   ok (default) | fail (load_failed) | crash (SIGSEGV during load) | garbage (invalid first message)
//   env FAKE_LOAD_MS  delay before `ready`
//   env FAKE_IGNORE_SHUTDOWN=1  stays alive after `shutdown` and a lost parent (the pool must SIGKILL it)
//   the job's mediaPath, whose base name is a command:
//     ok | slow:<ms> | segv | sigkill | exit | hang | deaf | garbage | stderr-segv
//   `hang` runs until cancelled (then answers CANCELLED); `deaf` ignores cancel; `stderr-segv` writes a line, then crashes.
// Every result's text is `done <mediaPath> by <pid>`, so tests see which worker ran what.
import path from 'node:path';
import { ParentMessageSchema, parseMessage, type ChildMessage } from '../../src/engine/protocol.ts';

const send = (message: ChildMessage | Record<string, unknown>) => process.send?.(message);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
let current: { taskId: string; cancelled: boolean; deaf: boolean } | null = null;

async function load(): Promise<void> {
  await sleep(Number(process.env.FAKE_LOAD_MS ?? 0));
  const mode = process.env.FAKE_LOAD ?? 'ok';
  if (mode === 'fail') {
    send({ type: 'load_failed', error: { code: 'MODEL_UNAVAILABLE', userMessage: 'no model', technicalDetail: `fake: cannot open ${process.env.WHISPER_MODEL}` } });
    return;
  }
  if (mode === 'crash') {
    process.stderr.write('fake: crashing while loading\n');
    process.kill(process.pid, 'SIGSEGV');
    return;
  }
  if (mode === 'garbage') {
    send({ type: 'ready', model: 'not an object' });
    return;
  }
  send({
    type: 'ready',
    model: { name: 'fake', type: 'tiny', multilingual: false },
    systemInfo: `threads=${process.env.WHISPER_THREADS} dtw=${process.env.WHISPER_DTW}`,
  });
}

async function transcribe(taskId: string, command: string, knownSec: number | null | undefined): Promise<void> {
  const [verb, arg] = command.split(':');
  current = { taskId, cancelled: false, deaf: verb === 'deaf' };
  send({ type: 'started', taskId, durationSec: knownSec ?? 11 }); // the job's duration when it carries one
  if (verb === 'segv' || verb === 'stderr-segv') {
    if (verb === 'stderr-segv') process.stderr.write('fake: about to crash\n');
    await sleep(50);
    process.kill(process.pid, 'SIGSEGV');
    return;
  }
  if (verb === 'sigkill') return void process.kill(process.pid, 'SIGKILL');
  if (verb === 'exit') return void process.exit(3);
  if (verb === 'garbage') return void send({ type: 'progress', taskId, percent: 'lots' });
  const totalMs = verb === 'slow' ? Number(arg) : verb === 'hang' || verb === 'deaf' ? Number.POSITIVE_INFINITY : 0;
  const started = Date.now();
  for (let percent = 0; ; percent = Math.min(99, percent + 10)) {
    if (current.cancelled && !current.deaf) {
      current = null;
      send({ type: 'failed', taskId, error: { code: 'CANCELLED', userMessage: 'cancelled', technicalDetail: 'fake: aborted' } });
      return;
    }
    if (Date.now() - started >= totalMs) break;
    send({ type: 'progress', taskId, percent });
    await sleep(Math.min(50, totalMs));
  }
  const segment = { id: 0, start: 0, end: 1, text: `done ${command}`, noSpeechProb: 0, avgLogprob: -1, tokens: [] };
  send({ type: 'segment', taskId, segment });
  send({ type: 'progress', taskId, percent: 100 });
  current = null;
  send({
    type: 'result',
    taskId,
    result: {
      text: `done ${command} by ${process.pid}`, language: 'en', languageProbability: null, duration: 11, model: 'fake',
      segments: [segment], timings: { decodeMs: 0, transcribeMs: 0, totalMs: 0 },
    },
  });
}

process.on('message', (raw) => {
  const parsed = parseMessage(ParentMessageSchema, raw);
  if (!parsed.ok) throw new Error(`fake worker got an invalid message: ${parsed.detail}`);
  const message = parsed.message;
  if (message.type === 'shutdown') {
    if (process.env.FAKE_IGNORE_SHUTDOWN !== '1') process.exit(0);
  }
  else if (message.type === 'cancel') {
    if (current?.taskId === message.taskId) current.cancelled = true;
  } else void transcribe(message.taskId, path.basename(message.mediaPath), message.mediaDurationSec);
});
process.on('disconnect', () => {
  if (process.env.FAKE_IGNORE_SHUTDOWN === '1') setInterval(() => {}, 1000);
  else process.exit(0);
});
void load();
