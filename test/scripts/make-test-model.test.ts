import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { makeTestModel, TEST_MODELS } from '../../scripts/make-test-model.ts';
import { FOR_TESTS_TINY_EN, ROOT } from '../helpers/paths.ts';
import { tempDir } from '../helpers/temp-dir.ts';

interface Tensor { name: string; ne: number[]; type: number; data: Buffer }

/** Reads the tensor records that follow `headerBytes` in a ggml whisper model. */
function readTensors(file: Buffer, headerBytes: number): Tensor[] {
  const out: Tensor[] = [];
  let off = headerBytes;
  while (off < file.length) {
    const nDims = file.readInt32LE(off);
    const nameLen = file.readInt32LE(off + 4);
    const type = file.readInt32LE(off + 8);
    const ne = Array.from({ length: nDims }, (_, i) => file.readInt32LE(off + 12 + 4 * i));
    off += 12 + 4 * nDims;
    const name = file.toString('utf8', off, off + nameLen);
    off += nameLen;
    const bytes = ne.reduce((a, b) => a * b, 1) * (type === 1 ? 2 : 4);
    out.push({ name, ne, type, data: file.subarray(off, off + bytes) });
    off += bytes;
  }
  return out;
}

const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

describe('makeTestModel', () => {
  const dir = tempDir('test-model-');
  const source = readFileSync(FOR_TESTS_TINY_EN);
  const tinyEn = TEST_MODELS.find((m) => m.name === 'tiny.en')!;
  const outFile = path.join(dir, 'a.bin');
  makeTestModel(FOR_TESTS_TINY_EN, outFile, tinyEn.seed);
  const model = readFileSync(outFile);
  const tensors = readTensors(model, source.length);

  it('keeps the header, mel filters and vocabulary, with ftype set to f16', () => {
    expect(model.readInt32LE(4 + 40)).toBe(1);
    const expected = Buffer.from(source);
    expected.writeInt32LE(1, 4 + 40);
    expect(model.subarray(0, source.length).equals(expected)).toBe(true);
  });

  it('writes every tensor of the tiny architecture once, with f16 matrices and f32 vectors', () => {
    // Encoder: 7 + 15 per layer; decoder: 4 + 24 per layer; tiny has 4 + 4 layers.
    expect(tensors.length).toBe(7 + 15 * 4 + 4 + 24 * 4);
    expect(new Set(tensors.map((t) => t.name)).size).toBe(tensors.length);
    const byName = new Map(tensors.map((t) => [t.name, t]));
    expect(byName.get('encoder.conv1.weight')).toMatchObject({ ne: [3, 80, 384], type: 1 });
    expect(byName.get('encoder.conv1.bias')).toMatchObject({ ne: [1, 384], type: 0 });
    expect(byName.get('decoder.token_embedding.weight')).toMatchObject({ ne: [384, 51864], type: 1 });
    expect(byName.get('decoder.positional_embedding')).toMatchObject({ ne: [384, 448], type: 0 });
    expect(byName.get('decoder.blocks.3.cross_attn.key.weight')).toMatchObject({ ne: [384, 384], type: 1 });
  });

  it('uses the tensor names whisper.cpp v1.9.1 declares', () => {
    const arch = path.join(ROOT, 'native/build/src/whisper.cpp-1.9.1/src/whisper-arch.h');
    if (!existsSync(arch)) return; // the source tree is only there after the native build
    const declared = new Set([...readFileSync(arch, 'utf8').matchAll(/"((?:encoder|decoder)\.[^"]+)"/g)].map((m) => m[1]!.replace('%d', 'N')));
    const ours = new Set(tensors.map((t) => t.name.replace(/\.\d+\./, '.N.')));
    expect(ours).toEqual(declared);
  });

  it('draws weights with mean 0 and standard deviation 0.05', () => {
    const f32 = tensors.find((t) => t.name === 'decoder.positional_embedding')!;
    const values = new Float32Array(f32.data.buffer.slice(f32.data.byteOffset, f32.data.byteOffset + f32.data.length));
    const mean = values.reduce((s, v) => s + v, 0) / values.length;
    const sd = Math.sqrt(values.reduce((s, v) => s + (v - mean) ** 2, 0) / values.length);
    expect(Math.abs(mean)).toBeLessThan(0.002);
    expect(sd).toBeGreaterThan(0.048);
    expect(sd).toBeLessThan(0.052);
  });

  it('is deterministic for a seed and differs across seeds', () => {
    const again = path.join(dir, 'b.bin');
    const other = path.join(dir, 'c.bin');
    makeTestModel(FOR_TESTS_TINY_EN, again, tinyEn.seed);
    makeTestModel(FOR_TESTS_TINY_EN, other, tinyEn.seed + 1);
    expect(sha(readFileSync(again))).toBe(sha(model));
    expect(sha(readFileSync(other))).not.toBe(sha(model));
  });
});
