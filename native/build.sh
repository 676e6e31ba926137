#!/usr/bin/env bash
# Builds whisper.cpp v1.9.1 from the pinned npm tarball into native/build/<variant>/lib.
# Skips the build when a library for the same version and options is already there.
#   GGML_CUDA=1          build the CUDA variant (needs nvcc)
#   WHISPER_BUILD_CLI=1  also build whisper-cli (used by the engine benchmark)
#   NATIVE_JOBS=N        parallel compile jobs (default: all cores)
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
version=1.9.1
pkg=nodejs-whisper
pkg_version=0.3.1
integrity='sha512-ceoilUVraRuR5FnNyXpGQT2auAR48Oc3AQBEmkXnVpSn9iN6yVRzQBFCqVTGWbk6Wdi95NhvwXNzFvuR7erLWw=='
tarball_url="https://registry.npmjs.org/${pkg}/-/${pkg}-${pkg_version}.tgz"

cuda=${GGML_CUDA:-0}
[ "$cuda" = "ON" ] && cuda=1
with_cli=${WHISPER_BUILD_CLI:-0}
variant=cpu
[ "$cuda" = "1" ] && variant=cuda
arch=$(uname -m)

# Portable CPU code: never -march=native. WHISPER_CPU_BASELINE picks how, on x86_64:
#   dispatch (default)  ggml's runtime CPU dispatch: one CPU backend per instruction-set level (x86-64 to
#                       AVX-512 and AMX), built as libggml-cpu-<level>.so modules; the worker loads the best
#                       one this CPU runs (src/engine/native/whisper-library.ts). About 4× the compile time.
#   v3                  one backend for x86-64-v3 (AVX2/FMA/F16C): faster to build, no AVX-512.
#   generic             one backend for any x86-64.
# GPU builds (GGML_CUDA=1) and other architectures build one backend, as v3 and generic do.
baseline=${WHISPER_CPU_BASELINE:-dispatch}
case "$baseline" in dispatch|v3|generic) ;; *) echo "native: WHISPER_CPU_BASELINE must be dispatch, v3 or generic (got $baseline)" >&2; exit 1 ;; esac
if [ "$baseline" = "dispatch" ] && { [ "$arch" != "x86_64" ] || [ "$cuda" = "1" ]; }; then baseline=v3; fi
cmake_opts=(-DCMAKE_BUILD_TYPE=Release -DBUILD_SHARED_LIBS=ON -DGGML_NATIVE=OFF
  -DWHISPER_BUILD_TESTS=OFF -DWHISPER_BUILD_SERVER=OFF -DWHISPER_SDL2=OFF -DWHISPER_CURL=OFF
  -DGGML_OPENMP=OFF -DGGML_CCACHE=OFF -DCMAKE_BUILD_WITH_INSTALL_RPATH=ON "-DCMAKE_INSTALL_RPATH=\$ORIGIN")
if [ "$baseline" = "dispatch" ]; then
  cmake_opts+=(-DGGML_BACKEND_DL=ON -DGGML_CPU_ALL_VARIANTS=ON)
elif [ "$arch" = "x86_64" ] && [ "$baseline" = "v3" ]; then
  cmake_opts+=(-DGGML_AVX=ON -DGGML_AVX2=ON -DGGML_FMA=ON -DGGML_F16C=ON -DGGML_BMI2=ON)
fi
# Examples are configured (for whisper-cli) but only built when asked for.
cmake_opts+=(-DWHISPER_BUILD_EXAMPLES=ON)
targets=(--target whisper)
[ "$with_cli" = "1" ] && targets+=(whisper-cli)
if [ "$variant" = "cuda" ]; then cmake_opts+=(-DGGML_CUDA=ON ${CUDA_ARCHITECTURES:+-DCMAKE_CUDA_ARCHITECTURES=$CUDA_ARCHITECTURES}); fi

stamp_text="whisper.cpp ${version} ${arch} ${cmake_opts[*]}"
out="$here/build/$variant"
stamp="$out/BUILD_STAMP"
# ggml's CMake stamps the git commit it finds above its sources; stop git at the extracted tree, or
# every commit to this repository would change a define and rebuild all of ggml.
export GIT_CEILING_DIRECTORIES="$here/build/src"

# The abort-flag callbacks (native/abort-flag.c): tiny, rebuilt whenever the source is newer.
build_abort_flag() {
  local so="$out/lib/libwhisper-tasks-abort.so"
  [ "$so" -nt "$here/abort-flag.c" ] && return 0
  mkdir -p "$out/lib"
  # Optional: without it the worker answers whisper.cpp's abort checks from JS, as before.
  if "${CC:-cc}" -O2 -shared -fPIC -o "$so.tmp" "$here/abort-flag.c"; then mv "$so.tmp" "$so"
  else echo "native: warning: could not compile native/abort-flag.c; cancel checks will go through JS" >&2; fi
}
want_cli_ok=1
[ "$with_cli" = "1" ] && [ ! -x "$out/bin/whisper-cli" ] && want_cli_ok=0
if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$stamp_text" ] && [ -f "$out/lib/libwhisper.so" ] && [ "$want_cli_ok" = "1" ]; then
  build_abort_flag
  echo "native: whisper.cpp ${version} (${variant}) already built in ${out}" >&2
  exit 0
fi

src="$here/build/src/whisper.cpp-${version}"
if [ ! -f "$src/CMakeLists.txt" ]; then
  mkdir -p "$here/build/src"
  tgz="$here/build/src/${pkg}-${pkg_version}.tgz"
  if [ ! -f "$tgz" ]; then
    echo "native: fetching ${tarball_url}" >&2
    curl -fsSL --retry 3 -o "$tgz.part" "$tarball_url"
    mv "$tgz.part" "$tgz"
  fi
  actual="sha512-$(openssl dgst -sha512 -binary "$tgz" | base64 -w0)"
  if [ "$actual" != "$integrity" ]; then
    rm -f "$tgz"
    echo "native: integrity check failed for ${tarball_url} (got ${actual})" >&2
    exit 1
  fi
  tmp="$here/build/src/extract.$$"
  rm -rf "$tmp" && mkdir -p "$tmp"
  # Only what the build needs: the CMake project, ggml, the library sources and the CLI example.
  tar -xzf "$tgz" -C "$tmp" \
    package/cpp/whisper.cpp/CMakeLists.txt package/cpp/whisper.cpp/LICENSE \
    package/cpp/whisper.cpp/cmake package/cpp/whisper.cpp/ggml package/cpp/whisper.cpp/include \
    package/cpp/whisper.cpp/src package/cpp/whisper.cpp/examples \
    package/cpp/whisper.cpp/bindings/javascript/package-tmpl.json
  rm -rf "$src"
  mv "$tmp/package/cpp/whisper.cpp" "$src"
  rm -rf "$tmp"
fi

if [ "$variant" = "cuda" ]; then
  command -v nvcc >/dev/null || { echo "native: GGML_CUDA=1 needs nvcc (the CUDA toolkit) on PATH" >&2; exit 1; }
  cuda_root=$(dirname "$(dirname "$(readlink -f "$(command -v nvcc)")")")
  if ! ls "$cuda_root"/include/cublas_v2.h "$cuda_root"/targets/*/include/cublas_v2.h /usr/include/cublas_v2.h >/dev/null 2>&1; then
    echo "native: warning: cublas_v2.h not found next to nvcc ($cuda_root); ggml's CUDA backend links cuBLAS," \
      "so CMake will fail unless the toolkit's cuBLAS development files are installed (e.g. an nvidia/cuda *-devel image)" >&2
  fi
fi

jobs=${NATIVE_JOBS:-$(nproc)}
echo "native: building whisper.cpp ${version} (${variant}) with ${jobs} jobs; this takes a few minutes" >&2
[ -f "$stamp" ] && [ "$(cat "$stamp")" = "$stamp_text" ] || rm -rf "$out"
cmake -S "$src" -B "$out/cmake" "${cmake_opts[@]}" -DCMAKE_INSTALL_PREFIX="$out" >"$here/build/cmake-$variant.log" 2>&1 \
  || { tail -n 40 "$here/build/cmake-$variant.log" >&2; echo "native: CMake configuration failed (log: native/build/cmake-$variant.log)" >&2; exit 1; }
if [ "${NATIVE_CONFIGURE_ONLY:-0}" = "1" ]; then echo "native: configured only" >&2; exit 0; fi
cmake --build "$out/cmake" -j "$jobs" "${targets[@]}" >>"$here/build/cmake-$variant.log" 2>&1 \
  || { tail -n 40 "$here/build/cmake-$variant.log" >&2; echo "native: build failed (log: native/build/cmake-$variant.log)" >&2; exit 1; }
mkdir -p "$out/lib" "$out/bin" "$out/include"
find "$out/cmake" -name '*.so*' -exec cp -P {} "$out/lib/" \;
cp "$src/include/whisper.h" "$src/ggml/include/"*.h "$out/include/"
[ -x "$out/cmake/bin/whisper-cli" ] && cp "$out/cmake/bin/whisper-cli" "$out/bin/"
# whisper-cli looks for the CPU backend modules beside itself (the worker is told the lib folder).
for module in "$out"/lib/libggml-cpu-*.so; do [ -e "$module" ] && ln -sf "../lib/$(basename "$module")" "$out/bin/"; done
build_abort_flag
echo "$stamp_text" > "$stamp"  # written last: a half-done build never looks finished
echo "native: built ${out}/lib/libwhisper.so" >&2
