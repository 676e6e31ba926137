// A stand-in worker for worker-lifetime.test.ts: `tsx lifetime-child.ts <mode>`.
// It holds a libuv pool thread in a native call that calls back into JS (libc qsort with a JS
// comparator), as whisper_full does with its callbacks, then leaves in the way `mode` names:
//   uncaught  throws from a timer          exit     calls process.exit(3)
//   blocked   blocks its JS thread for ever (the test then kills its parent)
//   stdout    writes to stdout until that pipe breaks
// LIFETIME_GUARD=0 leaves guardWorkerProcess out, to see the hang it prevents.
import koffi from 'koffi';
import { guardWorkerProcess } from '../../src/engine/worker/worker-lifetime.ts';

const mode = process.argv[2];
let inFlight = 0;
if (process.env.LIFETIME_GUARD !== '0') {
  guardWorkerProcess({ parentPid: process.ppid, nativeBusy: () => inFlight > 0, warn: (text) => process.stderr.write(`${text}\n`) });
}

const libc = koffi.load('libc.so.6');
const Compare = koffi.proto('int lifetime_compare(const void *a, const void *b)');
const qsort = libc.func('void qsort(void *base, size_t n, size_t size, lifetime_compare *compare)');
// Native memory: koffi's async calls do not keep a JS Buffer argument valid for a callback-driven call.
const values = koffi.alloc('int32_t', 2_000_000);
const view = Buffer.from(koffi.view(values, 4 * 2_000_000));
for (let i = 0; i < 2_000_000; i += 1) view.writeInt32LE((i * 7919) % 1_000_003, i * 4);
const compare = koffi.register((a: unknown, b: unknown) => (koffi.decode(a, 'int32_t') as number) - (koffi.decode(b, 'int32_t') as number), koffi.pointer(Compare));
inFlight += 1;
// Minutes of relayed callbacks: still running whatever the mode does next.
qsort.async(values, 2_000_000, 4, compare, () => (inFlight -= 1));
process.stderr.write('child: native call running\n');

setTimeout(() => {
  if (mode === 'uncaught') throw new Error('boom from a timer');
  if (mode === 'exit') process.exit(3);
  if (mode === 'blocked') {
    process.stderr.write('child: blocking\n');
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0);
  }
  if (mode === 'stdout') setInterval(() => process.stdout.write('tick\n'), 20);
}, 300);
