#!/usr/bin/env bash
# Regenerate the bundled lesson recordings (assets/recordings/SLUG.jsonl):
# forklore falls back to them when no usable python3 is found. Each is a
# real run of the lesson with its default parameters (but where a default
# run would make a recording too large to embed: see `smaller` below; the
# recording says its parameters, and the narration uses them). Every
# lesson's, or only those named: scripts/record-lessons.sh lock-vs-garbled
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
# value-array's 4 x 20,000 increments are 160,000 events (20 MB):
# 4 x 1,000 still lose increments under forklore, in a tenth of the size.
declare -A smaller=([value-array]="--set increments=1000")
for slug in "${slugs[@]}"; do
    out="assets/recordings/$slug.jsonl"
    # Written aside first: an interrupted run never leaves half a recording.
    # shellcheck disable=SC2086 # the extra flags are words
    "$bin" lesson "$slug" --headless ${smaller[$slug]:-} --record "$out.tmp" > /dev/null
    mv "$out.tmp" "$out"
    echo "recorded $slug: $(wc -l < "$out") events"
done
