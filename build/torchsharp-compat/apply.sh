#!/usr/bin/env bash
# FogLens TorchSharp compat step.
#
# usage: apply.sh DIR [CACHE_DIR]
#
# Finds every libLibTorchSharp.so below DIR. When the system libstdc++ lacks
# GLIBCXX_3.4.32 (Debian 12: GCC 12), it builds a one-function shim that defines
# std::ios_base_library_init(), renames the library's GLIBCXX_3.4.32 version need to
# one the system has, and adds the shim as a needed library next to it. When the system
# libstdc++ has the symbol, it does nothing. Idempotent; safe to run in parallel.
set -euo pipefail

dir=${1:?usage: apply.sh DIR [CACHE_DIR]}
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
cache=${2:-$here/../../artifacts/torchsharp-compat}
shim_name=libfoglens_glibcxx_shim.so
missing_version=GLIBCXX_3.4.32
replacement_version=GLIBCXX_3.4.11

mapfile -t libs < <(find "$dir" -name libLibTorchSharp.so -type f 2>/dev/null)
[[ ${#libs[@]} -eq 0 ]] && exit 0

system_libstdcxx() {
  local p
  p=$(/sbin/ldconfig -p 2>/dev/null | awk '/libstdc\+\+\.so\.6 .*x86-64/ {print $NF; exit}')
  [[ -z $p ]] && p=$(/sbin/ldconfig -p 2>/dev/null | awk '/libstdc\+\+\.so\.6 / {print $NF; exit}')
  echo "$p"
}

libstdcxx=$(system_libstdcxx)
if [[ -z $libstdcxx || ! -r $libstdcxx ]]; then
  echo "torchsharp-compat: error: cannot find the system libstdc++.so.6 (ldconfig -p)" >&2
  exit 1
fi
if grep -q "$missing_version" "$libstdcxx"; then
  # The system has the symbol version TorchSharp wants: nothing to do.
  exit 0
fi

for tool in g++ cc patchelf; do
  if ! command -v "$tool" >/dev/null 2>&1; then
    echo "torchsharp-compat: error: '$tool' is needed to adapt TorchSharp to this system's libstdc++ ($libstdcxx lacks $missing_version). Run ./foglens setup (installs g++ and patchelf)." >&2
    exit 1
  fi
done

mkdir -p "$cache"
exec 9>"$cache/.lock"
flock 9
if [[ ! -f $cache/$shim_name || $here/glibcxx_shim.cpp -nt $cache/$shim_name ]]; then
  g++ -shared -fPIC -O2 -o "$cache/$shim_name.tmp" "$here/glibcxx_shim.cpp"
  mv "$cache/$shim_name.tmp" "$cache/$shim_name"
fi
if [[ ! -x $cache/verneed_rename || $here/verneed_rename.c -nt $cache/verneed_rename ]]; then
  cc -O2 -Wall -Werror -o "$cache/verneed_rename.tmp" "$here/verneed_rename.c"
  mv "$cache/verneed_rename.tmp" "$cache/verneed_rename"
fi

for lib in "${libs[@]}"; do
  libdir=$(dirname "$lib")
  cp -f "$cache/$shim_name" "$libdir/$shim_name"
  if patchelf --print-needed "$lib" | grep -qx "$shim_name"; then
    continue
  fi
  # The build may hard-link copy-local files into the NuGet cache: patch a private copy.
  if [[ $(stat -c %h "$lib") -gt 1 ]]; then
    cp "$lib" "$lib.foglens-tmp"
    mv -f "$lib.foglens-tmp" "$lib"
  fi
  "$cache/verneed_rename" "$lib" "$missing_version" "$replacement_version" >/dev/null
  patchelf --add-needed "$shim_name" "$lib"
  echo "torchsharp-compat: patched $lib ($libstdcxx lacks $missing_version)"
done
