# syntax=docker/dockerfile:1
#
# CPU image (the default target):  docker build -t whisper-tasks .
# CUDA image:                       docker build --target cuda -t whisper-tasks:cuda .
#                                   (run with --gpus all; set CUDA_ARCHITECTURES to build for other GPUs)
#
# Models are not baked in: they live in the /data volume. Download one into it with
#   docker run --rm -v whisper-data:/data whisper-tasks node scripts/download-model.mjs base.en

ARG NODE_VERSION=20
ARG CUDA_VERSION=12.6.3

# ---- npm dependencies and the web page (node_modules, web-dist) ----
FROM node:${NODE_VERSION}-bookworm AS deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY scripts/build-web.mjs scripts/build-web.mjs
COPY src ./src
RUN node scripts/build-web.mjs && npm prune --omit=dev --no-audit --no-fund

# ---- whisper.cpp, CPU: portable flags, no tuning for the build host (see native/build.sh) ----
FROM node:${NODE_VERSION}-bookworm AS native-cpu
RUN apt-get update \
  && apt-get install -y --no-install-recommends cmake g++ make curl openssl ca-certificates \
  && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY native/build.sh native/build.sh
RUN bash native/build.sh

# ---- whisper.cpp, CUDA: built against the toolkit of the devel image ----
FROM nvidia/cuda:${CUDA_VERSION}-devel-ubuntu24.04 AS native-cuda
RUN apt-get update \
  && apt-get install -y --no-install-recommends cmake g++ make curl openssl ca-certificates \
  && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY native/build.sh native/build.sh
# Compute capabilities to compile for (Turing to Hopper); fewer means a faster build.
ARG CUDA_ARCHITECTURES="75;80;86;89;90"
RUN GGML_CUDA=1 CUDA_ARCHITECTURES="${CUDA_ARCHITECTURES}" bash native/build.sh

# ---- the Node runtime, for images whose base has none ----
FROM node:${NODE_VERSION}-bookworm-slim AS node-runtime

# ---- CUDA runtime image (build it with --target cuda) ----
FROM nvidia/cuda:${CUDA_VERSION}-runtime-ubuntu24.04 AS cuda
COPY --from=node-runtime /usr/local/bin/node /usr/local/bin/node
RUN apt-get update \
  && apt-get install -y --no-install-recommends ffmpeg ca-certificates \
  && rm -rf /var/lib/apt/lists/* \
  && groupadd --system --gid 10001 whisper \
  && useradd --system --uid 10001 --gid whisper --home-dir /app --shell /usr/sbin/nologin whisper \
  && mkdir -p /data && chown whisper:whisper /data
WORKDIR /app
COPY --from=deps /app/node_modules ./node_modules
COPY --from=deps /app/web-dist ./web-dist
COPY --from=native-cuda /app/native/build/cuda/lib ./native/build/cuda/lib
COPY package.json ./
COPY scripts ./scripts
COPY src ./src
ENV NODE_ENV=production HOST=0.0.0.0 PORT=8000 DATA_DIR=/data
VOLUME ["/data"]
EXPOSE 8000
USER whisper
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 8000) + '/health/live').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
CMD ["node", "--import", "tsx", "src/main.ts"]

# ---- CPU runtime image: the default, so it comes last ----
FROM node:${NODE_VERSION}-bookworm-slim AS cpu
RUN apt-get update \
  && apt-get install -y --no-install-recommends ffmpeg \
  && rm -rf /var/lib/apt/lists/* \
  && groupadd --system --gid 10001 whisper \
  && useradd --system --uid 10001 --gid whisper --home-dir /app --shell /usr/sbin/nologin whisper \
  && mkdir -p /data && chown whisper:whisper /data
WORKDIR /app
COPY --from=deps /app/node_modules ./node_modules
COPY --from=deps /app/web-dist ./web-dist
COPY --from=native-cpu /app/native/build/cpu/lib ./native/build/cpu/lib
COPY package.json ./
COPY scripts ./scripts
COPY src ./src
ENV NODE_ENV=production HOST=0.0.0.0 PORT=8000 DATA_DIR=/data
VOLUME ["/data"]
EXPOSE 8000
USER whisper
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 8000) + '/health/live').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
CMD ["node", "--import", "tsx", "src/main.ts"]
