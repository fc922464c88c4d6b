#!/usr/bin/env bash
# Installs mpitray into a scratch prefix and builds a project that finds it with
# find_package(mpitray): a program that builds its own tray, and `mysim`, the mpitray command line
# with the project's module, run serially and under mpirun with the same output.
#   usage: package_test.sh BUILD_DIR SOURCE_DIR WORK_DIR
set -euo pipefail
build=$1 src=$2 work=$3
rm -rf "$work" && mkdir -p "$work"
cmake --install "$build" --prefix "$work/prefix" >/dev/null
# Public headers only, and whole: the private ones (in COMPONENT/src/) stay out, and every mpitray
# header an installed one includes is installed too.
for private in dispatch/loopback_channel.hpp dispatch/mpi_channel.hpp core/text_encoding.hpp io/output_module.hpp; do
  if [ -e "$work/prefix/include/mpitray/$private" ]; then echo "FAIL: private header $private installed" >&2; exit 1; fi
done
missing=$(grep -rhoE '#include <mpitray/[a-z_/]+\.hpp>' "$work/prefix/include/mpitray" | sed -E 's/#include <(.*)>/\1/' | sort -u |
          while read -r header; do [ -e "$work/prefix/include/$header" ] || echo "$header"; done)
if [ -n "$missing" ]; then echo "FAIL: installed headers include headers that are not installed: $missing" >&2; exit 1; fi
cmake -S "$src/tests/package/consumer" -B "$work/consumer" -DCMAKE_PREFIX_PATH="$work/prefix" >/dev/null
cmake --build "$work/consumer" -j2 >/dev/null
"$work/consumer/consumer" "$work/tracks.h5"

mysim=$work/consumer/mysim
"$mysim" modules Reconstruct | grep -q "fits a Track"
cat > "$work/mysim.yaml" <<'YAML'
seed: 5
tray:
  - module: Generator
    params: {events: 40, packets: true}
  - module: Dispatch
    inner:
      - module: Splitter
      - module: Reconstruct
  - module: Writer
    params: {file: serial.h5}
YAML
(cd "$work" && "$mysim" run -q mysim.yaml)
(cd "$work" && mpirun --oversubscribe -n 3 "$mysim" run -q mysim.yaml --set Writer.file=three.h5)
"$mysim" diff "$work/serial.h5" "$work/three.h5"
echo "PASS: mysim runs the project's module on 1 and 3 ranks with the same output"
