# syntax=docker/dockerfile:1
#
# CPU image (the default target):  docker build -t whisper-tasks .
# CUDA image:                       docker build --target cuda -t whisper-tasks:cuda .
#                                   (run with --gpus all; set CUDA_ARCHITECTURES to build for other GPUs)
#
# Models are not baked in: they live in the /data volume. Download one into it with
#   docker run --rm -v whisper-data:/data whisper-tasks node scripts/download-model.mjs base.en
#
# The runtime stages hold no compiler, no npm and no headers: the node binary, the compiled server
# (dist/, JavaScript: no TypeScript loader at run time), production node_modules, libwhisper, and an
# audio-only ffmpeg. `npm run docker:verify` builds and runs the CPU image (see the README).

ARG NODE_VERSION=20
ARG CUDA_VERSION=12.6.3

# ---- npm dependencies, the compiled server (dist) and the web page (web-dist) ----
FROM node:${NODE_VERSION}-bookworm AS deps
WORKDIR /app
# npm ci from the lock file alone (package.json rebuilt from its root entry), so that editing package.json's
# scripts keeps this slow layer cached; the real package.json comes next.
COPY package-lock.json ./
RUN node -e "const fs = require('fs'); const root = JSON.parse(fs.readFileSync('package-lock.json', 'utf8')).packages['']; \
    const { name, version, dependencies, devDependencies, optionalDependencies } = root; \
    fs.writeFileSync('package.json', JSON.stringify({ name, version, dependencies, devDependencies, optionalDependencies }))" \
  && npm ci --no-audit --no-fund
COPY package.json tsconfig.json tsconfig.build.json ./
COPY scripts/build-web.mjs scripts/build-web.mjs
COPY src ./src
# Then only what runs: no dev dependencies, no build tools (TypeScript, tsx, esbuild), no native build leftovers.
RUN node scripts/build-web.mjs && npx tsc -p tsconfig.build.json \
  && npm prune --omit=dev --no-audit --no-fund \
  && rm -rf node_modules/typescript node_modules/tsx node_modules/esbuild node_modules/@esbuild node_modules/.bin \
  && find node_modules/better-sqlite3/build -type f ! -name '*.node' -delete \
  && rm -rf node_modules/better-sqlite3/deps node_modules/better-sqlite3/src

# ---- whisper.cpp, CPU: every x86-64 level, the best chosen at run time; no tuning for the build host (see native/build.sh) ----
FROM node:${NODE_VERSION}-bookworm AS native-cpu
RUN apt-get update \
  && apt-get install -y --no-install-recommends cmake g++ make curl openssl ca-certificates \
  && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY native/build.sh native/abort-flag.c native/
RUN bash native/build.sh

# ---- ffmpeg and ffprobe, audio only (Debian's packaged ffmpeg would add ~460 MB of libraries) ----
FROM node:${NODE_VERSION}-bookworm AS ffmpeg
COPY scripts/docker-ffmpeg.sh /tmp/docker-ffmpeg.sh
RUN bash /tmp/docker-ffmpeg.sh /opt/ffmpeg

# ---- whisper.cpp, CUDA: built against the toolkit of the devel image ----
FROM nvidia/cuda:${CUDA_VERSION}-devel-ubuntu24.04 AS native-cuda
RUN apt-get update \
  && apt-get install -y --no-install-recommends cmake g++ make curl openssl ca-certificates \
  && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY native/build.sh native/abort-flag.c native/
# Compute capabilities to compile for (Turing to Hopper); fewer means a faster build.
ARG CUDA_ARCHITECTURES="75;80;86;89;90"
RUN GGML_CUDA=1 CUDA_ARCHITECTURES="${CUDA_ARCHITECTURES}" bash native/build.sh

# ---- the Node runtime: only its binary goes into the runtime images ----
FROM node:${NODE_VERSION}-bookworm-slim AS node-runtime

# ---- CUDA runtime image (build it with --target cuda) ----
FROM nvidia/cuda:${CUDA_VERSION}-runtime-ubuntu24.04 AS cuda
COPY --from=node-runtime /usr/local/bin/node /usr/local/bin/node
COPY --from=ffmpeg /opt/ffmpeg/bin/ffmpeg /opt/ffmpeg/bin/ffprobe /usr/local/bin/
COPY --from=ffmpeg /opt/ffmpeg/share/doc/ffmpeg /usr/local/share/doc/ffmpeg
RUN groupadd --system --gid 10001 whisper \
  && useradd --system --uid 10001 --gid whisper --home-dir /app --shell /usr/sbin/nologin whisper \
  && mkdir -p /data && chown whisper:whisper /data
WORKDIR /app
COPY --from=deps /app/node_modules ./node_modules
COPY --from=deps /app/web-dist ./web-dist
COPY --from=deps /app/dist ./dist
COPY --from=native-cuda /app/native/build/cuda/lib ./native/build/cuda/lib
COPY package.json ./
COPY scripts/download-model.mjs ./scripts/
ENV NODE_ENV=production HOST=0.0.0.0 PORT=8000 DATA_DIR=/data
VOLUME ["/data"]
EXPOSE 8000
USER whisper
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 8000) + '/health/live').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
CMD ["node", "dist/main.js"]

# ---- CPU runtime image: the default, so it comes last ----
FROM debian:bookworm-slim AS cpu
COPY --from=node-runtime /usr/local/bin/node /usr/local/bin/node
COPY --from=ffmpeg /opt/ffmpeg/bin/ffmpeg /opt/ffmpeg/bin/ffprobe /usr/local/bin/
COPY --from=ffmpeg /opt/ffmpeg/share/doc/ffmpeg /usr/local/share/doc/ffmpeg
RUN groupadd --system --gid 10001 whisper \
  && useradd --system --uid 10001 --gid whisper --home-dir /app --shell /usr/sbin/nologin whisper \
  && mkdir -p /data && chown whisper:whisper /data
WORKDIR /app
COPY --from=deps /app/node_modules ./node_modules
COPY --from=deps /app/web-dist ./web-dist
COPY --from=deps /app/dist ./dist
COPY --from=native-cpu /app/native/build/cpu/lib ./native/build/cpu/lib
COPY package.json ./
COPY scripts/download-model.mjs ./scripts/
ENV NODE_ENV=production HOST=0.0.0.0 PORT=8000 DATA_DIR=/data
VOLUME ["/data"]
EXPOSE 8000
USER whisper
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 8000) + '/health/live').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
CMD ["node", "dist/main.js"]
