#!/usr/bin/env node
// Downloads a real whisper.cpp ggml model by name and checks its published sha256.
// Usage: npm run models:download -- NAME [--dir DIR]
//   NAME: a whisper.cpp ggml model (tiny, base, small, medium, large-v3, large-v3-turbo, their .en
//         variants and q5/q8 quantisations, e.g. small.en-q5_1), silero-v6.2.0 (VAD), or the file name
//         ggml-NAME.bin; or diarization (the speaker segmentation and embedding models, two ONNX files).
//   --help lists every name.
//   DIR defaults to ${DATA_DIR:-./data}/models. MODEL_BASE_URL overrides the host (tests use it).
// Plain Node with no dependencies, so that it runs before or without `npm install`.
import { createHash } from 'node:crypto';
import { createWriteStream, existsSync, mkdirSync, renameSync, rmSync } from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';

const WHISPER_REPO = 'https://huggingface.co/ggerganov/whisper.cpp/resolve/main';
const VAD_REPO = 'https://huggingface.co/ggml-org/whisper-vad/resolve/main';

// The rest of the published ggml family (multilingual, .en, q5/q8 quantisations): [name, bytes, sha256]
// as Hugging Face's LFS records list them; each hash agrees in at least two independent pinned tables
// (see the Models section of README.md).
const GGML_FAMILY = [
  ['tiny-q5_1', 32_152_673, '818710568da3ca15689e31a743197b520007872ff9576237bda97bd1b469c3d7'],
  ['tiny.en-q5_1', 32_166_155, 'c77c5766f1cef09b6b7d47f21b546cbddd4157886b3b5d6d4f709e91e66c7c2b'],
  ['tiny-q8_0', 43_537_433, 'c2085835d3f50733e2ff6e4b41ae8a2b8d8110461e18821b09a15c40c42d1cca'],
  ['base-q5_1', 59_707_625, '422f1ae452ade6f30a004d7e5c6a43195e4433bc370bf23fac9cc591f01a8898'],
  ['base.en-q5_1', 59_721_011, '4baf70dd0d7c4247ba2b81fafd9c01005ac77c2f9ef064e00dcf195d0e2fdd2f'],
  ['base-q8_0', 81_768_585, 'c577b9a86e7e048a0b7eada054f4dd79a56bbfa911fbdacf900ac5b567cbb7d9'],
  ['base.en-q8_0', 81_781_811, 'a4d4a0768075e13cfd7e19df3ae2dbc4a68d37d36a7dad45e8410c9a34f8c87e'],
  ['small', 487_601_967, '1be3a9b2063867b937e64e2ec7483364a79917e157fa98c5d94b5c1fffea987b'],
  ['small.en', 487_614_201, 'c6138d6d58ecc8322097e0f987c32f1be8bb0a18532a3f88f734d1bbf9c41e5d'],
  ['small-q5_1', 190_085_487, 'ae85e4a935d7a567bd102fe55afc16bb595bdb618e11b2fc7591bc08120411bb'],
  ['small.en-q5_1', 190_098_681, 'bfdff4894dcb76bbf647d56263ea2a96645423f1669176f4844a1bf8e478ad30'],
  ['small-q8_0', 264_464_607, '49c8fb02b65e6049d5fa6c04f81f53b867b5ec9540406812c643f177317f779f'],
  ['small.en-q8_0', 264_477_561, '67a179f608ea6114bd3fdb9060e762b588a3fb3bd00c4387971be4d177958067'],
  ['medium', 1_533_763_059, '6c14d5adee5f86394037b4e4e8b59f1673b6cee10e3cf0b11bbdbee79c156208'],
  ['medium.en', 1_533_774_781, 'cc37e93478338ec7700281a7ac30a10128929eb8f427dda2e865faa8f6da4356'],
  ['medium-q5_0', 539_212_467, '19fea4b380c3a618ec4723c3eef2eb785ffba0d0538cf43f8f235e7b3b34220f'],
  ['medium.en-q5_0', 539_225_533, '76733e26ad8fe1c7a5bf7531a9d41917b2adc0f20f2e4f5531688a8c6cd88eb0'],
  ['medium-q8_0', 823_369_779, '42a1ffcbe4167d224232443396968db4d02d4e8e87e213d3ee2e03095dea6502'],
  ['medium.en-q8_0', 823_382_461, '43fa2cd084de5a04399a896a9a7a786064e221365c01700cea4666005218f11c'],
  ['large-v3', 3_095_033_483, '64d182b440b98d5203c4f9bd541544d84c605196c4f7b845dfa11fb23594d1e2'],
  ['large-v3-q5_0', 1_081_140_203, 'd75795ecff3f83b5faa89d1900604ad8c780abd5739fae406de19f23ecd98ad1'],
  ['large-v3-turbo', 1_624_555_275, '1fc70f774d38eb169993ac391eea357ef47c88757ef72ee5943879b7e8e2bc69'],
  ['large-v3-turbo-q5_0', 574_041_195, '394221709cd5ad1f40c46e6031ca61bce88931e6e088c188294c6d5a55ffa7e2'],
  ['large-v3-turbo-q8_0', 874_188_075, '317eb69c11673c9de1e1f0d459b253999804ec71ac4c23c17ecf5fbe24e259a1'],
];

// Known models: published size and sha256 (see ../shared/models/README.md).
const KNOWN_MODELS = {
  'tiny.en': { bytes: 77_704_715, sha256: '921e4cf8686fdd993dcd081a5da5b6c365bfde1162e72b08d75ac75289920b1f', repo: WHISPER_REPO },
  tiny: { bytes: 77_691_713, sha256: 'be07e048e1e599ad46341c8d2a135645097a538221678b7acdd1b1919c6e1b21', repo: WHISPER_REPO },
  'base.en': { bytes: 147_964_211, sha256: 'a03779c86df3323075f5e796cb2ce5029f00ec8869eee3fdfb897afe36c6d002', repo: WHISPER_REPO },
  base: { bytes: 147_951_465, sha256: '60ed5bc3dd14eea856493d334349b405782ddcaf0028d4b5df4088345fba2efe', repo: WHISPER_REPO },
  'tiny.en-q8_0': { bytes: 43_550_795, sha256: '5bc2b3860aa151a4c6e7bb095e1fcce7cf12c7b020ca08dcec0c6d018bb7dd94', repo: WHISPER_REPO },
  'silero-v6.2.0': { bytes: 885_098, sha256: '2aa269b785eeb53a82983a20501ddf7c1d9c48e33ab63a41391ac6c9f7fb6987', repo: VAD_REPO },
  // Speaker diarization (sherpa-onnx's ONNX exports): pyannote segmentation-3.0 (int8, MIT) and the
  // WeSpeaker ResNet34-LM speaker embedding trained on VoxCeleb (Apache-2.0). Saved under the names
  // DIARIZATION_SEGMENTATION_MODEL and DIARIZATION_EMBEDDING_MODEL default to.
  diarization: {
    files: [
      { remote: 'model.int8.onnx', file: 'pyannote-segmentation-3.0.int8.onnx', bytes: 1_540_506,
        sha256: 'd582f4b4c6b48205de7e0643c57df0df5615a3c176189be3fc461e9d18827b5d', repo: 'https://huggingface.co/csukuangfj/sherpa-onnx-pyannote-segmentation-3-0/resolve/main' },
      { remote: 'wespeaker_en_voxceleb_resnet34_LM.onnx', file: 'wespeaker_en_voxceleb_resnet34_LM.onnx', bytes: 26_530_550,
        sha256: 'e9848563da86f263117134dfd7ad63c92355b37de492b55e325400c9d9c39012', repo: 'https://huggingface.co/csukuangfj/speaker-embedding-models/resolve/main' },
    ],
  },
  ...Object.fromEntries(GGML_FAMILY.map(([name, bytes, sha256]) => [name, { bytes, sha256, repo: WHISPER_REPO }])),
};

/** The files a name stands for: one ggml file for a whisper or VAD model, several for a bundle. */
function filesOf(name) {
  const model = KNOWN_MODELS[name];
  return model.files ?? [{ remote: `ggml-${name}.bin`, file: `ggml-${name}.bin`, bytes: model.bytes, sha256: model.sha256, repo: model.repo }];
}

class UsageError extends Error {
  constructor(message, showUsage = false) { super(message); this.showUsage = showUsage; }
}

function parseArgs(argv) {
  let dir;
  const names = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--dir') {
      dir = argv[++i];
      if (!dir) throw new UsageError('--dir needs a folder');
    } else if (a === '--help' || a === '-h') {
      throw new UsageError('', true);
    } else if (a.startsWith('-')) {
      throw new UsageError(`unknown option ${a}`);
    } else names.push(a);
  }
  if (names.length !== 1) throw new UsageError(names.length === 0 ? 'name a model to download' : 'name one model at a time', true);
  // Accept "ggml-tiny.en.bin" as well as "tiny.en".
  const name = names[0].replace(/^ggml-/, '').replace(/\.bin$/, '');
  if (!Object.hasOwn(KNOWN_MODELS, name)) {
    throw new UsageError(`unknown model "${names[0]}"; known models: ${Object.keys(KNOWN_MODELS).join(', ')}`);
  }
  return { name, dir: path.resolve(dir ?? path.join(process.env.DATA_DIR || './data', 'models')) };
}

function progressReporter(total) {
  const tty = process.stderr.isTTY;
  let done = 0;
  let shown = -1;
  return {
    add(n) {
      done += n;
      const pct = total ? Math.min(100, Math.floor((done / total) * 100)) : 0;
      // On a terminal redraw one line per percent; in logs print one line per tenth.
      const step = tty ? pct : Math.floor(pct / 10) * 10;
      if (step === shown) return;
      shown = step;
      const mb = (done / 1e6).toFixed(1);
      if (tty) process.stderr.write(`\rdownloading: ${String(pct).padStart(3)}% (${mb} MB)`);
      else process.stderr.write(`downloading: ${step}% (${mb} MB)\n`);
    },
    end() { if (tty && shown >= 0) process.stderr.write('\n'); },
  };
}

// fetch() says only "fetch failed"; the reason is in its cause chain (a system or TLS error code).
function rootCause(err) {
  let e = err;
  for (let i = 0; i < 5 && e?.cause; i++) e = e.cause;
  return e ?? err;
}

function networkReason(err, url) {
  const cause = rootCause(err);
  const code = String(cause?.code ?? '');
  const host = new URL(url).host;
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return `DNS: the name ${new URL(url).hostname} could not be resolved (${code}); check the network or set MODEL_BASE_URL to a reachable mirror`;
  if (code === 'ECONNREFUSED') return `connection refused by ${host}`;
  if (code === 'ECONNRESET' || code === 'UND_ERR_SOCKET') return `the connection to ${host} was reset (${code})`;
  if (code === 'ETIMEDOUT' || code.startsWith('UND_ERR_') && /TIMEOUT/.test(code)) return `timed out connecting to ${host} (${code})`;
  if (code === 'ENETUNREACH' || code === 'EHOSTUNREACH') return `no route to ${host} (${code})`;
  if (/CERT|SSL|TLS|SELF_SIGNED|UNABLE_TO_VERIFY/i.test(code) || /certificate|ssl|tls/i.test(String(cause?.message))) {
    // OpenSSL's text is "…:SSL routines:<function>:<reason>:<source file>…": the reason is what a person needs.
    const text = String(cause.message);
    const reason = /SSL routines:[^:]*:([^:]+)/.exec(text)?.[1] ?? text.replace(/\s+/g, ' ').trim();
    const hint = /CERT|SELF_SIGNED|UNABLE_TO_VERIFY/.test(code) ? '; a proxy that intercepts HTTPS needs NODE_EXTRA_CA_CERTS' : '';
    return `TLS: ${reason}${code ? ` (${code})` : ''}${hint}`;
  }
  return `${cause?.message ?? String(err)}${code ? ` (${code})` : ''}`;
}

function httpHint(status) {
  if (status === 404) return ' (the file is not at that address; check the name or MODEL_BASE_URL)';
  if (status === 401 || status === 403) return ' (the server refused access)';
  if (status === 429 || status >= 500) return ' (the server is busy or failing; try again later)';
  return '';
}

const DISK_CODES = new Set(['ENOSPC', 'EACCES', 'EPERM', 'EROFS', 'ENOTDIR', 'EDQUOT', 'EISDIR', 'EEXIST']);
function isDiskError(err) {
  return DISK_CODES.has(String(err?.code ?? ''));
}

function diskReason(err, dir) {
  const code = String(err?.code ?? '');
  if (code === 'ENOSPC' || code === 'EDQUOT') return `no space left to write the model in ${dir} (${code})`;
  if (code === 'EACCES' || code === 'EPERM' || code === 'EROFS') return `cannot write to ${dir} (${code}); choose another folder with --dir or DATA_DIR`;
  return `cannot use ${dir} as the models folder: ${err.message}`;
}

async function download(name, dir) {
  const saved = [];
  for (const model of filesOf(name)) {
    saved.push(await downloadFile(model, dir));
    process.stderr.write(`saved ${saved.at(-1)} (sha256 verified)\n`);
  }
  return saved;
}

async function downloadFile(model, dir) {
  const { file } = model;
  const base = process.env.MODEL_BASE_URL || model.repo;
  const url = `${base.replace(/\/$/, '')}/${model.remote}`;
  const dest = path.join(dir, file);
  try {
    mkdirSync(dir, { recursive: true });
  } catch (err) {
    throw new Error(`disk: ${diskReason(err, dir)}`);
  }
  process.stderr.write(`downloading ${url}\n`);
  let res;
  try {
    res = await fetch(url, { redirect: 'follow' });
  } catch (err) {
    throw new Error(`download of ${url} failed: ${networkReason(err, url)}`);
  }
  if (!res.ok || !res.body) throw new Error(`download of ${url} failed: HTTP ${res.status} ${res.statusText}`.trim() + httpHint(res.status));
  const total = Number(res.headers.get('content-length')) || model.bytes;
  const hash = createHash('sha256');
  const progress = progressReporter(total);
  const tmp = `${dest}.${process.pid}.part`;
  try {
    await pipeline(
      Readable.fromWeb(res.body),
      async function* (source) {
        for await (const chunk of source) { hash.update(chunk); progress.add(chunk.length); yield chunk; }
      },
      createWriteStream(tmp),
    ).catch((err) => {
      throw new Error(isDiskError(err) ? `disk: ${diskReason(err, dir)}` : `download of ${url} broke off: ${networkReason(err, url)}`);
    });
    const actual = hash.digest('hex');
    if (actual !== model.sha256) throw new Error(`checksum mismatch for ${file}: expected ${model.sha256}, got ${actual}; the file was deleted`);
    renameSync(tmp, dest);
  } finally {
    progress.end();
    if (existsSync(tmp)) rmSync(tmp, { force: true });
  }
  return dest;
}

async function main() {
  let args;
  try {
    args = parseArgs(process.argv.slice(2));
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    const usage = `usage: npm run models:download -- NAME [--dir DIR]   (NAME: ${Object.keys(KNOWN_MODELS).join(', ')})`;
    // Only help and a missing name show the usage; other mistakes are one line that names the choices.
    if (err.message) process.stderr.write(`download-model: ${err.message}\n`);
    if (err.showUsage) process.stderr.write(`${usage}\n`);
    process.exit(err.message ? 2 : 0);
  }
  try {
    for (const dest of await download(args.name, args.dir)) process.stdout.write(`${dest}\n`);
  } catch (err) {
    process.stderr.write(`download-model: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  }
}

await main();
