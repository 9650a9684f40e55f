#!/usr/bin/env bash
# Regenerates the sample clip the built-in simulator's finished tasks point at
# (src/GridQueue.Server/wwwroot/samples/simulated.webm): 4 s of ffmpeg's moving test pattern, 640x360 at 24 fps,
# VP9 in WebM with no audio track (every current browser plays it; H.264 is missing from some Chromium builds),
# about 150 KB. The bitexact flags and the dropped metadata keep the encoder's version string out of the file.
set -euo pipefail
out="${1:-$(dirname "$0")/../src/GridQueue.Server/wwwroot/samples/simulated.webm}"
ffmpeg -hide_banner -loglevel error -y \
  -f lavfi -i "testsrc2=size=640x360:rate=24:duration=4" \
  -c:v libvpx-vp9 -crf 45 -b:v 0 -deadline good -cpu-used 2 -row-mt 1 -pix_fmt yuv420p -an \
  -fflags +bitexact -flags +bitexact -map_metadata -1 \
  "$out"
ls -l "$out"
