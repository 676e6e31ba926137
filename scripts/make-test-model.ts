// Generates whisper.cpp models with the real tiny/base architecture and deterministic
// pseudo-random weights from the tensor-less for-tests files in ../shared/models.
// whisper.cpp decodes them to short nonsense segments with timestamps, at the real compute cost.
// Usage: tsx scripts/make-test-model.ts [--if-missing] [--out DIR] [--only NAME]
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, renameSync, rmSync, writeSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const SHARED_MODELS = path.join(process.env.SHARED_DIR ?? path.resolve(ROOT, '../shared'), 'models');

/** Test models this script can make; `byDefault` ones are made without --only. */
export const TEST_MODELS = [
  { name: 'tiny.en', source: 'for-tests-ggml-tiny.en.bin', out: 'ggml-tiny.en-random.bin', seed: 0x7e57_0001, byDefault: true },
  { name: 'tiny', source: 'for-tests-ggml-tiny.bin', out: 'ggml-tiny-random.bin', seed: 0x7e57_0002, byDefault: true },
  { name: 'base.en', source: 'for-tests-ggml-base.en.bin', out: 'ggml-base.en-random.bin', seed: 0x7e57_0003, byDefault: false },
] as const;

const SIGMA = 0.05;
const GGML_F32 = 0;
const GGML_F16 = 1;

interface HParams { nVocab: number; nAudioCtx: number; nState: number; nAudioLayer: number; nTextCtx: number; nTextLayer: number; nMels: number }
interface TensorSpec { name: string; ne: number[]; f16: boolean }

/** Reads the hyper-parameters and the byte length of header + mel filters + vocabulary. */
function parseHeader(buf: Buffer): { hp: HParams; end: number } {
  if (buf.readUInt32LE(0) !== 0x67676d6c) throw new Error('not a ggml whisper model (bad magic)');
  const h = (i: number) => buf.readInt32LE(4 + 4 * i);
  const hp = { nVocab: h(0), nAudioCtx: h(1), nState: h(2), nAudioLayer: h(4), nTextCtx: h(5), nTextLayer: h(8), nMels: h(9) };
  let off = 4 + 11 * 4;
  const nMel = buf.readInt32LE(off);
  const nFft = buf.readInt32LE(off + 4);
  off += 8 + 4 * nMel * nFft;
  const nTokens = buf.readInt32LE(off);
  off += 4;
  for (let i = 0; i < nTokens; i++) off += 4 + buf.readUInt32LE(off);
  if (off > buf.length) throw new Error('truncated model header');
  return { hp, end: off };
}

/** Every tensor whisper.cpp v1.9.1 `whisper_model_load` creates, with ggml shapes (ne0 first). */
function tensorSpecs(hp: HParams): TensorSpec[] {
  const s = hp.nState;
  const out: TensorSpec[] = [];
  const add = (name: string, ne: number[], f16 = false) => out.push({ name, ne, f16 });
  const block = (prefix: string) => {
    add(`${prefix}.mlp_ln.weight`, [s]); add(`${prefix}.mlp_ln.bias`, [s]);
    add(`${prefix}.mlp.0.weight`, [s, 4 * s], true); add(`${prefix}.mlp.0.bias`, [4 * s]);
    add(`${prefix}.mlp.2.weight`, [4 * s, s], true); add(`${prefix}.mlp.2.bias`, [s]);
  };
  const attention = (prefix: string, ln: string) => {
    add(`${ln}.weight`, [s]); add(`${ln}.bias`, [s]);
    add(`${prefix}.query.weight`, [s, s], true); add(`${prefix}.query.bias`, [s]);
    add(`${prefix}.key.weight`, [s, s], true);
    add(`${prefix}.value.weight`, [s, s], true); add(`${prefix}.value.bias`, [s]);
    add(`${prefix}.out.weight`, [s, s], true); add(`${prefix}.out.bias`, [s]);
  };
  add('encoder.positional_embedding', [s, hp.nAudioCtx]);
  add('encoder.conv1.weight', [3, hp.nMels, s], true); add('encoder.conv1.bias', [1, s]);
  add('encoder.conv2.weight', [3, s, s], true); add('encoder.conv2.bias', [1, s]);
  add('encoder.ln_post.weight', [s]); add('encoder.ln_post.bias', [s]);
  for (let i = 0; i < hp.nAudioLayer; i++) {
    block(`encoder.blocks.${i}`);
    attention(`encoder.blocks.${i}.attn`, `encoder.blocks.${i}.attn_ln`);
  }
  add('decoder.positional_embedding', [s, hp.nTextCtx]);
  add('decoder.token_embedding.weight', [s, hp.nVocab], true);
  add('decoder.ln.weight', [s]); add('decoder.ln.bias', [s]);
  for (let i = 0; i < hp.nTextLayer; i++) {
    block(`decoder.blocks.${i}`);
    attention(`decoder.blocks.${i}.attn`, `decoder.blocks.${i}.attn_ln`);
    attention(`decoder.blocks.${i}.cross_attn`, `decoder.blocks.${i}.cross_attn_ln`);
  }
  return out;
}

/** xorshift32: tiny, fast and fully deterministic across platforms. */
function createRng(seed: number): () => number {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13; x >>>= 0; x ^= x >>> 17; x ^= x << 5; x >>>= 0;
    return x;
  };
}

/** float32 -> IEEE half bits (round to nearest; values here are small, so no overflow handling beyond inf). */
function toHalf(f: number): number {
  const f32 = new Float32Array([f]);
  const u = new Uint32Array(f32.buffer)[0]!;
  const sign = (u >>> 16) & 0x8000;
  const exp = ((u >>> 23) & 0xff) - 127 + 15;
  const mant = u & 0x7fffff;
  if (exp <= 0) return exp < -10 ? sign : sign | ((mant | 0x800000) >> (14 - exp));
  if (exp >= 31) return sign | 0x7c00;
  return sign | (exp << 10) | ((mant + 0x1000) >> 13);
}

/** 65,536 N(0, SIGMA) draws (Box-Muller); bulk tensors index into it, which keeps generation fast. */
function normalTable(rng: () => number): { f32: Float32Array; f16: Uint16Array } {
  const f32 = new Float32Array(65536);
  for (let i = 0; i < f32.length; i += 2) {
    const u1 = (rng() + 1) / 4294967297;
    const u2 = rng() / 4294967296;
    const r = Math.sqrt(-2 * Math.log(u1)) * SIGMA;
    f32[i] = r * Math.cos(2 * Math.PI * u2);
    f32[i + 1] = r * Math.sin(2 * Math.PI * u2);
  }
  return { f32, f16: Uint16Array.from(f32, toHalf) };
}

function tensorBytes(spec: TensorSpec, rng: () => number, table: { f32: Float32Array; f16: Uint16Array }): Buffer {
  const n = spec.ne.reduce((a, b) => a * b, 1);
  const nameBytes = Buffer.from(spec.name, 'utf8');
  const head = Buffer.alloc(12 + 4 * spec.ne.length);
  head.writeInt32LE(spec.ne.length, 0);
  head.writeInt32LE(nameBytes.length, 4);
  head.writeInt32LE(spec.f16 ? GGML_F16 : GGML_F32, 8);
  spec.ne.forEach((d, i) => head.writeInt32LE(d, 12 + 4 * i));
  const data = spec.f16 ? new Uint16Array(n) : new Float32Array(n);
  const src = spec.f16 ? table.f16 : table.f32;
  for (let i = 0; i < n; i += 2) {
    const r = rng();
    data[i] = src[r & 0xffff]!;
    if (i + 1 < n) data[i + 1] = src[r >>> 16]!;
  }
  return Buffer.concat([head, nameBytes, Buffer.from(data.buffer, data.byteOffset, data.byteLength)]);
}

/** Writes one random-weight model from a for-tests source file; atomic (temp file, then rename). */
export function makeTestModel(sourceFile: string, outFile: string, seed: number): void {
  const src = readFileSync(sourceFile);
  const { hp, end } = parseHeader(src);
  const header = Buffer.from(src.subarray(0, end));
  header.writeInt32LE(GGML_F16, 4 + 10 * 4); // ftype 1: f16 matrices
  const rng = createRng(seed);
  const table = normalTable(rng);
  mkdirSync(path.dirname(outFile), { recursive: true });
  const tmp = `${outFile}.${process.pid}.tmp`;
  const fd = openSync(tmp, 'w');
  try {
    writeSync(fd, header);
    for (const spec of tensorSpecs(hp)) writeSync(fd, tensorBytes(spec, rng, table));
    closeSync(fd);
    renameSync(tmp, outFile);
  } catch (err) {
    closeSync(fd);
    rmSync(tmp, { force: true });
    throw err;
  }
}

function main(argv: string[]): void {
  const flag = (name: string) => { const i = argv.indexOf(name); return i >= 0 ? argv[i + 1] : undefined; };
  const outDir = path.resolve(flag('--out') ?? path.join(ROOT, 'test/.cache/models'));
  const only = flag('--only');
  const chosen = TEST_MODELS.filter((m) => (only ? m.name === only || m.out === only : m.byDefault));
  if (chosen.length === 0) throw new Error(`unknown model ${only}; known: ${TEST_MODELS.map((m) => m.name).join(', ')}`);
  for (const m of chosen) {
    const outFile = path.join(outDir, m.out);
    if (argv.includes('--if-missing') && existsSync(outFile)) continue;
    const t0 = performance.now();
    makeTestModel(path.join(SHARED_MODELS, m.source), outFile, m.seed);
    process.stderr.write(`make-test-model: wrote ${outFile} in ${Math.round(performance.now() - t0)} ms\n`);
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  try {
    main(process.argv.slice(2));
  } catch (err) {
    process.stderr.write(`make-test-model: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  }
}
