import { createHash } from 'node:crypto';
import { createReadStream, statSync } from 'node:fs';
import path from 'node:path';
import { TaskFailure } from '../../tasks/errors.ts';

/** Published size and sha256 of the diarization model files we know (the ones models:download fetches). */
export const KNOWN_DIARIZATION_MODELS: Readonly<Record<string, { bytes: number; sha256: string }>> = Object.freeze({
  // pyannote segmentation-3.0, sherpa-onnx's int8 export (model.int8.onnx)
  'pyannote-segmentation-3.0.int8.onnx': { bytes: 1_540_506, sha256: 'd582f4b4c6b48205de7e0643c57df0df5615a3c176189be3fc461e9d18827b5d' },
  // WeSpeaker ResNet34-LM trained on VoxCeleb, as sherpa-onnx publishes it
  'wespeaker_en_voxceleb_resnet34_LM.onnx': { bytes: 26_530_550, sha256: 'e9848563da86f263117134dfd7ad63c92355b37de492b55e325400c9d9c39012' },
});

/**
 * Checks a model file before native code opens it: it must exist, and a file we know by name must
 * have its published size and sha256 (a damaged ONNX file aborts the process instead of throwing).
 * Files we do not know are only checked for existence. Throws TaskFailure DIARIZATION_FAILED.
 */
export async function verifyDiarizationModel(file: string): Promise<void> {
  let size: number;
  try {
    size = statSync(file).size;
  } catch {
    throw new TaskFailure('DIARIZATION_FAILED', `diarization model ${file} is missing; run: npm run models:download -- diarization`);
  }
  const known = KNOWN_DIARIZATION_MODELS[path.basename(file)];
  if (!known) return;
  const damaged = (what: string) => new TaskFailure('DIARIZATION_FAILED',
    `diarization model ${file} is damaged (${what}); delete it and run: npm run models:download -- diarization`);
  if (size !== known.bytes) throw damaged(`${size} bytes, expected ${known.bytes}`);
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  const actual = hash.digest('hex');
  if (actual !== known.sha256) throw damaged(`sha256 ${actual}, expected ${known.sha256}`);
}
