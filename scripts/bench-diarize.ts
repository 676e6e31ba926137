// `npm run bench:diarize -- [--seconds S] [--threads N] [--diarize-threads N] [--model PATH] [--embedding PATH] [--skip-transcribe]`
// Builds an espeak-ng dialogue of two voices lasting about S seconds (default 600), then measures:
//   1. transcription of it through the worker pool (random tiny.en by default), the baseline;
//   2. diarization of the same PCM (real pyannote segmentation, the stand-in embedding model unless
//      --embedding names a trained one) in a child process of its own, for a clean peak RSS.
// Prints both times, their ratio (target: diarization adds ≤ 15 %), the child's peak RSS and the
// share of speech time given to the right speaker. A benchmark, not a test.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { createDiarizer } from '../src/engine/worker/diarizer.ts';
import { createWorkerPool } from '../src/engine/pool/worker-pool.ts';
import { labelTurns } from '../src/tasks/speakers.ts';
import { makeDialogue, speakerAccuracy } from '../test/helpers/dialogue.ts';
import { NATIVE_LIB, ROOT, SHARED_MODELS, TINY_EN_RANDOM } from '../test/helpers/paths.ts';

const { values } = parseArgs({
  options: {
    seconds: { type: 'string', default: '600' },
    threads: { type: 'string', default: '2' },
    'diarize-threads': { type: 'string', default: '1' }, // DIARIZATION_THREADS' default: a second thread doubled CPU time here
    model: { type: 'string', default: TINY_EN_RANDOM },
    embedding: { type: 'string', default: path.join(SHARED_MODELS, 'stub-speaker-embedding.onnx') },
    'skip-transcribe': { type: 'boolean', default: false },
    child: { type: 'string' }, // internal: diarize this many repeats in this process and print JSON
  },
});
const threads = Number(values.threads);
const ORDER = [0, 1, 0, 1, 0, 1, 0, 1]; // one pass of the script is about 37 s
const SEGMENTATION = path.join(SHARED_MODELS, 'pyannote-segmentation-3.0.int8.onnx');

const vmHwmMiB = () => {
  const line = /VmHWM:\s+(\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8'));
  return line ? Number(line[1]) / 1024 : NaN;
};

async function child(repeat: number): Promise<void> {
  const dialogue = makeDialogue(ORDER, repeat);
  const beforeMiB = vmHwmMiB();
  const diarizer = createDiarizer({
    segmentationModel: SEGMENTATION, embeddingModel: path.resolve(values.embedding!), threshold: 0.5, minDurationOn: 0.3, minDurationOff: 0.5,
    threads: Number(values['diarize-threads']),
  });
  const started = performance.now();
  const turns = labelTurns(await diarizer.diarize(dialogue.samples, {}, () => {}));
  const ms = performance.now() - started;
  const cpu = process.cpuUsage();
  process.stdout.write(`${JSON.stringify({
    ms, cpuMs: (cpu.user + cpu.system) / 1000, seconds: dialogue.seconds, speakers: new Set(turns.map((t) => t.speaker)).size,
    accuracy: speakerAccuracy(dialogue.turns, turns), peakMiB: vmHwmMiB(), pcmMiB: (dialogue.samples.length * 4) / 2 ** 20, beforeMiB,
  })}\n`);
}

/** CPU seconds of this process's reaped children (from /proc, as bench:engine reads them). */
function childrenCpuSeconds(): number {
  const fields = readFileSync('/proc/self/stat', 'utf8').split(') ')[1]!.split(' ');
  return (Number(fields[13]) + Number(fields[14])) / 100;
}

async function transcribe(wav: string): Promise<number> {
  const pool = createWorkerPool({
    workers: 1, threads, modelPath: path.resolve(values.model!), libPath: NATIVE_LIB, taskTimeoutMs: 4 * 60 * 60 * 1000, niceness: 0,
  });
  try {
    while (pool.readyCount() === 0) await new Promise((resolve) => setTimeout(resolve, 20));
    const started = performance.now();
    const outcome = await pool.run({
      taskId: 'bench', mediaPath: wav,
      params: { language: 'en', task: 'transcribe', vad: false, wordTimestamps: false, diarize: false, temperature: 0 },
    });
    if (!outcome.ok) throw new Error(`transcription failed: ${outcome.error.technicalDetail}`);
    return performance.now() - started;
  } finally {
    await pool.close();
  }
}

if (values.child) {
  await child(Number(values.child));
} else {
  const repeat = Math.max(1, Math.round(Number(values.seconds) / 37));
  const dialogue = makeDialogue(ORDER, repeat); // made once here, cached for the child
  console.log(`audio: ${dialogue.seconds.toFixed(1)} s of two espeak-ng voices (${dialogue.turns.length} turns), threads ${threads}`);
  const run = spawnSync(process.execPath, ['--import', 'tsx', path.join(ROOT, 'scripts/bench-diarize.ts'), '--child', String(repeat),
    '--diarize-threads', values['diarize-threads']!, '--embedding', values.embedding!], { encoding: 'utf8', cwd: ROOT, maxBuffer: 16 << 20 });
  if (run.status !== 0) throw new Error(`diarization child failed:\n${run.stderr}`);
  const d = JSON.parse(run.stdout.trim().split('\n').at(-1)!) as Record<string, number>;
  console.log(`diarization: ${(d.ms! / 1000).toFixed(1)} s (${(dialogue.seconds / (d.ms! / 1000)).toFixed(0)}× real time), ` +
    `CPU ${(d.cpuMs! / 1000).toFixed(1)} s (whole process), ${d.speakers} speakers, ${(d.accuracy! * 100).toFixed(1)} % of speech time to the right speaker`);
  console.log(`diarization peak RSS: ${d.peakMiB!.toFixed(0)} MiB (process before diarizing: ${d.beforeMiB!.toFixed(0)} MiB, PCM: ${d.pcmMiB!.toFixed(0)} MiB)`);
  if (!values['skip-transcribe']) {
    const cpuBefore = childrenCpuSeconds();
    const ms = await transcribe(dialogue.wav);
    const cpu = childrenCpuSeconds() - cpuBefore; // the worker, reaped by pool.close()
    console.log(`transcription (${path.basename(values.model!)}): ${(ms / 1000).toFixed(1)} s, worker CPU ${cpu.toFixed(1)} s`);
    console.log(`diarization adds ${((d.ms! / ms) * 100).toFixed(1)} % to the task's wall time, ${((d.cpuMs! / 1000 / cpu) * 100).toFixed(1)} % to its CPU time (target ≤ 15 %)`);
  }
}
