#!/usr/bin/env bash
# Builds whisper.cpp's own whisper-server (and whisper-cli) from the same pinned source as the library,
# with whisper.cpp's default CMake options (native CPU flags, OpenMP), into native/build/peer/bin.
# The peer a user would run instead of this service, for `npm run bench:peer`. Skipped when built.
#   NATIVE_JOBS=N   parallel compile jobs (default: all cores)
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
src="$here/build/src/whisper.cpp-1.9.1"
out="$here/build/peer"
if [ -x "$out/bin/whisper-server" ] && [ -x "$out/bin/whisper-cli" ]; then
  echo "native: whisper-server (peer build) already in ${out}/bin" >&2
  exit 0
fi
# The service's own build fetches and checks the pinned source first (and is skipped when done).
[ -f "$src/CMakeLists.txt" ] || bash "$here/build.sh"

export GIT_CEILING_DIRECTORIES="$here/build/src"  # see build.sh
jobs=${NATIVE_JOBS:-$(nproc)}
log="$here/build/cmake-peer.log"
echo "native: building whisper-server with whisper.cpp's default options, ${jobs} jobs; this takes a few minutes" >&2
# Only what a default configure would not do on a machine without them: no SDL2, no curl, no tests.
cmake -S "$src" -B "$out/cmake" -DCMAKE_BUILD_TYPE=Release -DWHISPER_SDL2=OFF -DWHISPER_CURL=OFF \
  -DWHISPER_BUILD_TESTS=OFF -DCMAKE_BUILD_WITH_INSTALL_RPATH=ON "-DCMAKE_INSTALL_RPATH=\$ORIGIN/../lib" >"$log" 2>&1 \
  || { tail -n 40 "$log" >&2; echo "native: peer configuration failed (log: $log)" >&2; exit 1; }
cmake --build "$out/cmake" -j "$jobs" --target whisper-server whisper-cli >>"$log" 2>&1 \
  || { tail -n 40 "$log" >&2; echo "native: peer build failed (log: $log)" >&2; exit 1; }
mkdir -p "$out/lib" "$out/bin"
find "$out/cmake" -name '*.so*' -exec cp -P {} "$out/lib/" \;
cp "$out/cmake/bin/whisper-cli" "$out/bin/"
cp "$out/cmake/bin/whisper-server" "$out/bin/"  # written last: a half-done build never looks finished
echo "native: built ${out}/bin/whisper-server" >&2
