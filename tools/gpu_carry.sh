#!/usr/bin/env bash
# gpu_carry.sh — run on THIS (development) machine before a GPU check: copy what the lent GPU machine lacks
# (it has nvcc, cmake, ninja, compilers and compute-sanitizer, but no Debian packages and no internet) into the
# git-ignored folder .gpucarry/ of the repository, which the device tool carries along:
#   .gpucarry/include/catch2/catch.hpp   Catch2 v2 single header      (Debian catch2)
#   .gpucarry/include/fftw3.h, lib/libfftw3.a                          (Debian libfftw3-dev)
#   .gpucarry/include/zlib.h, zconf.h, lib/libz.a                      (Debian zlib1g-dev)
#   .gpucarry/commit                     the commit (line 1) and "working tree modified" (line 2) when it is
# tools/gpu_check.sh passes them to CMake; it and CMake read the commit from .gpucarry/commit when git or .git
# is unavailable on the GPU machine. Usage: bash tools/gpu_carry.sh   (from anywhere in the repository)
set -euo pipefail
root=$(git -C "$(dirname "$0")" rev-parse --show-toplevel)
dest="$root/.gpucarry"
multiarch=$(gcc -print-multiarch 2>/dev/null || echo x86_64-linux-gnu)
find_one() { # first existing file among the arguments
  for f in "$@"; do [ -f "$f" ] && { echo "$f"; return 0; }; done
  return 1
}
catch=$(find_one /usr/include/catch2/catch.hpp /usr/local/include/catch2/catch.hpp) ||
  { echo "gpu_carry: catch2/catch.hpp not found (apt-get install catch2)" >&2; exit 1; }
fftwh=$(find_one /usr/include/fftw3.h /usr/local/include/fftw3.h) || { echo "gpu_carry: fftw3.h not found (libfftw3-dev)" >&2; exit 1; }
fftwa=$(find_one "/usr/lib/$multiarch/libfftw3.a" /usr/lib/libfftw3.a /usr/local/lib/libfftw3.a) ||
  { echo "gpu_carry: libfftw3.a not found (libfftw3-dev)" >&2; exit 1; }
zlibh=$(find_one /usr/include/zlib.h) || { echo "gpu_carry: zlib.h not found (zlib1g-dev)" >&2; exit 1; }
zconf=$(find_one /usr/include/zconf.h "/usr/include/$multiarch/zconf.h") || { echo "gpu_carry: zconf.h not found" >&2; exit 1; }
zliba=$(find_one "/usr/lib/$multiarch/libz.a" /usr/lib/libz.a) || { echo "gpu_carry: libz.a not found (zlib1g-dev)" >&2; exit 1; }
rm -rf "$dest"
mkdir -p "$dest/include/catch2" "$dest/lib"
cp "$catch" "$dest/include/catch2/catch.hpp"
cp "$fftwh" "$zlibh" "$zconf" "$dest/include/"
cp "$fftwa" "$zliba" "$dest/lib/"
git -C "$root" rev-parse --short=12 HEAD > "$dest/commit"
[ -n "$(git -C "$root" status --porcelain --untracked-files=no | head -1)" ] && echo "working tree modified" >> "$dest/commit"
# make sure git ignores the folder (the device tool carries ignored paths named in `carry`)
if ! git -C "$root" check-ignore -q "$dest/lib/libz.a"; then
  echo "gpu_carry: warning: .gpucarry/ is not ignored by git; add /.gpucarry/ to .gitignore" >&2
fi
du -sh "$dest" | awk '{print "gpu_carry: " $1 " in .gpucarry/"}'
ls -R "$dest" | sed 's/^/  /'
