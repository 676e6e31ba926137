#!/usr/bin/env bash
# Builds local stand-ins for the base images the Dockerfile names, for a machine that reaches the Debian
# mirror and the npm registry but no image registry (so `npm run docker:verify` builds the real Dockerfile):
#   debian:bookworm-slim        `debootstrap --variant=minbase bookworm`, with docs, man pages and locales
#                               left out as the official slim image does;
#   node:<major>-bookworm-slim  that plus this machine's Node runtime (node, npm, corepack, headers) in
#                               /usr/local, where the official image keeps it;
#   node:<major>-bookworm       that plus the compilers and tools of the official (buildpack-deps) image
#                               that the build stages use (g++, make, python3, curl, git, dpkg-dev, ...).
# Two additions the official images lack, for this sandbox only: the machine's extra CA certificates (its
# egress proxy re-signs TLS) and an npmrc with `nodedir` (node-gyp cannot download Node's headers here).
# Cached: skipped when all three carry the label of this recipe (hash of this file and the Node version).
#   STORAGE_DRIVER  buildah storage driver (default vfs: works without overlay support)
set -euo pipefail

B=(buildah --storage-driver "${STORAGE_DRIVER:-vfs}")
major=$(node -p 'process.versions.node.split(".")[0]')
debian="docker.io/library/debian:bookworm-slim"
slim="docker.io/library/node:${major}-bookworm-slim"
full="docker.io/library/node:${major}-bookworm"
key=$( (cat "$0"; node -v) | sha256sum | cut -c1-16)
label=whisper-tasks.standin
have() { [ "$("${B[@]}" inspect --type image --format "{{index .OCIv1.Config.Labels \"$label\"}}" "$1" 2>/dev/null)" = "$key" ]; }
if have "$debian" && have "$slim" && have "$full"; then
  echo "docker-standin: $debian, $slim and $full already built (recipe $key)" >&2
  exit 0
fi
ctr=""
trap '[ -z "$ctr" ] || "${B[@]}" rm "$ctr" >/dev/null 2>&1 || true' EXIT
commit() { "${B[@]}" commit --quiet --rm "$ctr" "$1" >/dev/null; ctr=""; echo "docker-standin: built $1" >&2; }

# 1. debian:bookworm-slim, from the mirror apt uses here (deb822 or one-line sources), else Debian's redirector.
mirror=$(grep -hoE '^URIs: *http[^ ]*/debian$|^deb +http[^ ]*/debian ' /etc/apt/sources.list.d/*.sources /etc/apt/sources.list 2>/dev/null \
  | head -n1 | grep -oE 'http[^ ]*' || true)
mirror=${mirror:-http://deb.debian.org/debian}
ctr=$("${B[@]}" from scratch)
root=$("${B[@]}" mount "$ctr")
echo "docker-standin: debootstrap bookworm from $mirror (a few minutes)" >&2
debootstrap --variant=minbase bookworm "$root" "$mirror" >/tmp/docker-standin-debootstrap.log 2>&1 \
  || { tail -n 20 /tmp/docker-standin-debootstrap.log >&2; exit 1; }
cat >"$root/etc/apt/sources.list.d/debian.sources" <<EOF
Types: deb
URIs: $mirror
Suites: bookworm bookworm-updates
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg

Types: deb
URIs: ${mirror%/debian}/debian-security
Suites: bookworm-security
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
EOF
rm -f "$root/etc/apt/sources.list"
printf '%s\n' 'path-exclude /usr/share/doc/*' 'path-include /usr/share/doc/*/copyright' 'path-exclude /usr/share/man/*' \
  'path-exclude /usr/share/info/*' 'path-exclude /usr/share/locale/*' 'path-include /usr/share/locale/locale.alias' \
  >"$root/etc/dpkg/dpkg.cfg.d/docker-slim"
find "$root/usr/share/doc" -mindepth 1 ! -name copyright ! -type d -delete
find "$root/usr/share/locale" -mindepth 1 -maxdepth 1 ! -name locale.alias -exec rm -rf {} +
rm -rf "$root"/usr/share/man/* "$root"/usr/share/info/* "$root"/var/lib/apt/lists/* "$root"/var/cache/apt/*.bin \
  "$root"/var/cache/apt/archives/*.deb "$root"/var/log/*.log
# Sandbox only: the machine's extra CAs (ca-certificates adds them to the bundle whenever it is installed).
mkdir -p "$root/usr/local/share/ca-certificates" "$root/etc/ssl/certs"
cp /usr/local/share/ca-certificates/*.crt "$root/usr/local/share/ca-certificates/" 2>/dev/null || true
cp /etc/ssl/certs/ca-certificates.crt "$root/etc/ssl/certs/ca-certificates.crt"
"${B[@]}" unmount "$ctr" >/dev/null
"${B[@]}" config --env PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin --cmd bash --label "$label=$key" "$ctr"
commit "$debian"

# 2. node:<major>-bookworm-slim: Node as the official image installs it, everything under /usr/local.
prefix=$(dirname "$(dirname "$(readlink -f "$(command -v node)")")")
[ -d "$prefix/lib/node_modules/npm" ] || { echo "docker-standin: npm not found under $prefix/lib/node_modules" >&2; exit 1; }
ctr=$("${B[@]}" from --pull=false "$debian")
root=$("${B[@]}" mount "$ctr")
mkdir -p "$root/usr/local/bin" "$root/usr/local/lib/node_modules" "$root/usr/local/include" "$root/usr/local/etc"
cp "$prefix/bin/node" "$root/usr/local/bin/node"
for pkg in npm corepack; do [ -d "$prefix/lib/node_modules/$pkg" ] && cp -a "$prefix/lib/node_modules/$pkg" "$root/usr/local/lib/node_modules/"; done
[ -d "$prefix/include/node" ] && cp -a "$prefix/include/node" "$root/usr/local/include/"
ln -s ../lib/node_modules/npm/bin/npm-cli.js "$root/usr/local/bin/npm"
ln -s ../lib/node_modules/npm/bin/npx-cli.js "$root/usr/local/bin/npx"
[ -d "$root/usr/local/lib/node_modules/corepack" ] && ln -s ../lib/node_modules/corepack/dist/corepack.js "$root/usr/local/bin/corepack"
printf 'nodedir=/usr/local\ncafile=/etc/ssl/certs/ca-certificates.crt\nfund=false\nupdate-notifier=false\n' >"$root/usr/local/etc/npmrc"
"${B[@]}" unmount "$ctr" >/dev/null
"${B[@]}" config --env "NODE_VERSION=$(node -p process.versions.node)" --cmd node "$ctr"
commit "$slim"

# 3. node:<major>-bookworm: the build tools.
ctr=$("${B[@]}" from --pull=false "$slim")
"${B[@]}" run --isolation chroot "$ctr" -- sh -c 'apt-get update -q >/dev/null \
  && DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends \
     ca-certificates curl git openssl python3 make g++ dpkg-dev xz-utils >/dev/null \
  && rm -rf /var/lib/apt/lists/*'
commit "$full"
