#!/usr/bin/env bash
# The CUDA check, for a machine with an NVIDIA GPU. NOT RUN YET: no GPU has been available where this was
# written, so nothing here is known to work; the CPU build stays the default everywhere.
#   1. builds whisper.cpp with GGML_CUDA=1 for this GPU's compute capability (native/build/cuda);
#   2. makes the base.en random-weight model (the largest shape scripts/make-test-model.ts can make);
#   3. runs the engine tests (the pool prefers native/build/cuda when it exists) and `bench:engine` on it;
#   4. prints the real-time factor and the peak GPU memory seen by nvidia-smi during the benchmark.
# Needs: the NVIDIA driver (nvidia-smi), the CUDA toolkit with cuBLAS development files (nvcc on PATH,
# e.g. an nvidia/cuda:*-devel image: the same toolkit the Dockerfile's native-cuda stage uses), cmake, g++,
# Node 20, and a checkout where `npm ci` has run (no network is needed after that) with ../shared beside it.
#   usage: scripts/cuda-verify.sh [--seconds S]   (S: audio length for bench:engine, default its own)
set -euo pipefail
cd "$(dirname "$0")/.."
out=${OUT:-test-artifacts/cuda}
mkdir -p "$out"

for tool in nvidia-smi nvcc cmake g++ node; do
  command -v "$tool" >/dev/null || { echo "cuda-verify: $tool not found (see the header of this script)" >&2; exit 1; }
done
[ -d node_modules/koffi ] || { echo "cuda-verify: node_modules missing: run npm ci first" >&2; exit 1; }
nvidia-smi --query-gpu=name,driver_version,memory.total,compute_cap --format=csv | tee "$out/gpu.csv"
cap=$(nvidia-smi --query-gpu=compute_cap --format=csv,noheader | head -n1 | tr -d '. ')

t0=$(date +%s)
GGML_CUDA=1 CUDA_ARCHITECTURES="${CUDA_ARCHITECTURES:-$cap}" bash native/build.sh
echo "cuda-verify: CUDA build took $(( $(date +%s) - t0 )) s (native/build/cuda)" | tee "$out/summary.txt"
bash native/build.sh   # the CPU library too: bench:engine's whisper-cli baseline and the fallback
ldd native/build/cuda/lib/libggml-cuda.so | grep -E 'cublas|cudart' | tee -a "$out/summary.txt"

npx tsx scripts/make-test-model.ts --if-missing
npx tsx scripts/make-test-model.ts --if-missing --only base.en
model=test/.cache/models/ggml-base.en-random.bin

# The engine tests load native/build/cuda first (src/engine/native/whisper-library.ts); WHISPER_USE_GPU defaults to 1.
npx vitest run test/engine 2>&1 | tee "$out/engine-tests.log" | tail -n 15

nvidia-smi --query-gpu=memory.used --format=csv,noheader,nounits -lms 200 >"$out/vram.csv" &
smi=$!
trap 'kill "$smi" 2>/dev/null || true' EXIT
npx tsx scripts/bench-engine.ts --model "$model" "$@" 2>&1 | tee "$out/bench-engine.log"
kill "$smi" 2>/dev/null || true
peak=$(sort -n "$out/vram.csv" | tail -n1)
base=$(sort -n "$out/vram.csv" | head -n1)
{
  echo "cuda-verify: peak GPU memory during bench:engine ${peak} MiB (${base} MiB before the model loaded)"
  grep -iE 'rtf|real-time|ratio|wall' "$out/bench-engine.log" || true
  echo "cuda-verify: note: bench:engine's whisper-cli baseline is the CPU build (scripts/bench-engine.ts uses native/build/cpu/bin)"
} | tee -a "$out/summary.txt"
