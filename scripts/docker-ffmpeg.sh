#!/usr/bin/env bash
# Builds ffmpeg and ffprobe for the Docker image: audio only, no external libraries, from Debian's
# (security-maintained) source package. Debian's packaged ffmpeg would add about 460 MB of codec, X11 and
# GPU libraries the server never uses; this build is a few MB and needs nothing but libc, libm and zlib.
# It reads exactly what the server lets ffmpeg open (src/audio/media-tools.ts): local files, the demuxers
# below, the first audio stream, decoded to 32-bit float PCM on a pipe.
#   usage: docker-ffmpeg.sh PREFIX    (run as root on Debian bookworm with deb-src reachable)
set -euo pipefail
prefix=${1:?usage: docker-ffmpeg.sh PREFIX}

# Configure's names for the demuxers of media-tools.ts's whitelist (mov also reads mp4/m4a/3gp,
# matroska also webm, mpegps is the one called "mpeg").
demuxers=wav,w64,mp3,mov,matroska,ogg,flac,aac,aiff,asf,avi,amr,amrnb,amrwb,ac3,eac3,caf,mpegps,mpegts,flv,au,wv,ape,dts,truehd,tta,voc,mpc,mpc8,loas,dsf,gsm
decoders='aac,aac_fixed,aac_latm,ac3,ac3_fixed,eac3,alac,als,amrnb,amrwb,ape,atrac1,atrac3,atrac3al,atrac3p,atrac3pal,atrac9,cook,dca,dsd_*,flac,g723_1,g729,gsm,gsm_ms,mlp,mp1,mp1float,mp2,mp2float,mp3,mp3float,mp3adu,mp3adufloat,mp3on4,mp3on4float,mpc7,mpc8,nellymoser,opus,qdm2,ra_144,ra_288,ralf,sipr,speex,truehd,tta,vorbis,wavpack,wmalossless,wmapro,wmav1,wmav2,wmavoice,pcm_*,adpcm_*'
parsers=aac,aac_latm,ac3,amr,cook,dca,dolby_e,flac,gsm,mlp,mpegaudio,opus,sipr,tak,vorbis,xma

export DEBIAN_FRONTEND=noninteractive
sed -i 's/^Types: deb$/Types: deb deb-src/' /etc/apt/sources.list.d/debian.sources
apt-get update -q
apt-get install -y -q --no-install-recommends dpkg-dev zlib1g-dev >/dev/null
work=$(mktemp -d)
cd "$work"
apt-get source -q ffmpeg >/dev/null 2>&1 || apt-get source ffmpeg
cd ffmpeg-*/
./configure --prefix="$prefix" --disable-everything --disable-autodetect --disable-doc --disable-debug \
  --disable-network --disable-ffplay --disable-avdevice --disable-swscale --disable-postproc --disable-x86asm \
  --enable-zlib --enable-protocol=file,pipe --enable-demuxer="$demuxers" --enable-decoder="$decoders" \
  --enable-parser="$parsers" --enable-filter=aresample,aformat,anull,atrim --enable-encoder=pcm_f32le,pcm_s16le \
  --enable-muxer=pcm_f32le,pcm_s16le,wav >configure.log 2>&1 || { tail -n 30 configure.log >&2; exit 1; }
make -j"$(nproc)" >make.log 2>&1 || { tail -n 30 make.log >&2; exit 1; }
make install >/dev/null
mkdir -p "$prefix/share/doc/ffmpeg"
cp COPYING.LGPLv2.1 "$prefix/share/doc/ffmpeg/"
head -n1 debian/changelog >"$prefix/share/doc/ffmpeg/VERSION"
rm -rf "$prefix/include" "$prefix/lib" "$prefix/share/ffmpeg" "$work" /var/lib/apt/lists/*
"$prefix/bin/ffmpeg" -hide_banner -version | head -n1
