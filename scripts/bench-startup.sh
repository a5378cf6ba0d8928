#!/usr/bin/env bash
# The shim's cost per interpreter, in CPU instructions (valgrind's
# callgrind counts them exactly, whatever else the machine is doing), for
# several import profiles: plain python3, the shim of this tree, and the
# shim of BASE_REV (default: HEAD) for comparison.
#
#   scripts/bench-startup.sh [BASE_REV]
#
# Each shim is installed as forklore installs it (a folder first on
# PYTHONPATH, FORKLORE_SOCK pointing at a socket that is drained) and run
# twice first so its bytecode is cached, as forklore's cache keeps it.
set -euo pipefail
cd "$(dirname "$0")/.."
base_rev=${1:-HEAD}
command -v valgrind >/dev/null || { echo "needs valgrind (apt-get install valgrind)"; exit 2; }
py=$(python3 -c 'import sys; print(sys.executable)')
work=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null; rm -rf "$work"' EXIT

mkdir -p "$work/tree/shim" "$work/base/shim"
cp -r assets/python/. "$work/tree/shim/"
if git cat-file -e "$base_rev:assets/python" 2>/dev/null; then
    git archive "$base_rev" assets/python | tar -x -C "$work/base"
    cp -r "$work/base/assets/python/." "$work/base/shim/"
fi
for name in tree base; do
    # A receiver that drains the events, as forklore would.
    python3 -c "
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM); s.bind(sys.argv[1])
while True: s.recv(70000)
" "$work/$name/ev.sock" &
done
sleep 0.3

count() { # NAME CODE -> instructions
    local name=$1 code=$2
    local -a env=(env -u PYTHONPATH)
    if [ "$name" != plain ]; then
        env=(env PYTHONPATH="$work/$name/shim" FORKLORE_SOCK="$work/$name/ev.sock" FORKLORE_SCRIPT=/x.py)
    fi
    PYTHONHASHSEED=0 "${env[@]}" valgrind --tool=callgrind --callgrind-out-file=/dev/null \
        "$py" -c "$code" 2>&1 | grep -o 'Collected : [0-9]*' | awk '{print $3}'
}

profiles=(
    "pass"
    "import multiprocessing"
    "import multiprocessing.synchronize"
    "import multiprocessing.pool"
    "import multiprocessing.managers"
    "import multiprocessing.pool, multiprocessing.managers, multiprocessing.queues, multiprocessing.synchronize"
)
for name in tree base; do
    for code in "${profiles[@]}"; do count "$name" "$code" >/dev/null; count "$name" "$code" >/dev/null; done
done
echo "python: $py ($("$py" --version)); base shim: $base_rev"
echo "| python -c ... | plain (M instr) | shim at $base_rev | this shim | change |"
echo "|---|---|---|---|---|"
for code in "${profiles[@]}"; do
    p=$(count plain "$code"); b=$(count base "$code"); t=$(count tree "$code")
    awk -v c="$code" -v p="$p" -v b="$b" -v t="$t" 'BEGIN {
        printf "| `%s` | %.2f | +%.2f | +%.2f | %+.2f |\n", c, p/1e6, (b-p)/1e6, (t-p)/1e6, (t-b)/1e6 }'
done
