#!/usr/bin/env bash
# Draws Ferry's app icons (a white sailing ferry on a blue rounded square) into icons/ with
# ImageMagick. The PNGs are committed; run this only to change them. Tauri wants RGBA PNGs.
set -euo pipefail
cd "$(dirname "$0")/../icons"

convert=/usr/bin/convert # ImageMagick's own, not a stand-in earlier on PATH
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

"$convert" -size 1024x1024 xc:none \
  -fill '#1f6feb' -draw 'roundrectangle 48,48 975,975 200,200' \
  -fill '#cfe3ff' -draw 'polygon 160,780 864,780 864,800 160,800' \
  -fill white \
  -draw 'polygon 200,600 824,600 720,760 304,760' \
  -draw 'polygon 490,200 490,560 250,560' \
  -draw 'polygon 540,280 540,560 740,560' \
  -fill '#1f6feb' \
  -draw 'rectangle 360,640 400,680' -draw 'rectangle 440,640 480,680' \
  -draw 'rectangle 520,640 560,680' -draw 'rectangle 600,640 640,680' \
  -fill '#cfe3ff' -draw 'polygon 150,830 874,830 874,848 150,848' \
  "PNG32:$tmp/master.png"

# -strip and no date chunks: the same drawing gives the same bytes.
size() { "$convert" "$tmp/master.png" -filter Lanczos -resize "$1x$1" -strip -define png:exclude-chunks=date,time "PNG32:$2"; }
size 32 32x32.png
size 128 128x128.png
size 256 128x128@2x.png
size 512 icon.png
