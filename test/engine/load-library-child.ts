// A child for whisper-library.test.ts: `tsx load-library-child.ts <folder>` opens libwhisper from the
// folder in a fresh process (a process keeps the first ggml it loads) and prints what happened as JSON.
import { createLibraryLoader } from '../../src/engine/native/whisper-library.ts';

try {
  const lib = createLibraryLoader({ override: process.argv[2]!, root: process.argv[2]! })();
  console.log(JSON.stringify({ ok: true, cpuBackend: lib.cpuBackend }));
} catch (err) {
  console.log(JSON.stringify({ ok: false, name: (err as Error).name, message: (err as Error).message }));
}
