#!/usr/bin/env bash
# Regenerate the bundled lesson recordings (assets/recordings/SLUG.jsonl):
# forklore falls back to them when no usable python3 is found. Each is a
# real run of the lesson with its default parameters. Every lesson's, or
# only those named: scripts/record-lessons.sh lock-vs-garbled
# Afterwards review and accept the lesson screen snapshots:
#   INSTA_UPDATE=always cargo test --test lesson_screens
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release --quiet
bin=target/release/forklore
slugs=("$@")
if [ ${#slugs[@]} -eq 0 ]; then
    mapfile -t slugs < <("$bin" list | awk '{print $1}')
fi
for slug in "${slugs[@]}"; do
    out="assets/recordings/$slug.jsonl"
    # Written aside first: an interrupted run never leaves half a recording.
    "$bin" lesson "$slug" --headless --record "$out.tmp" > /dev/null
    mv "$out.tmp" "$out"
    echo "recorded $slug: $(wc -l < "$out") events"
done
