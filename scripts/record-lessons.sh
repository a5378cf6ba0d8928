#!/usr/bin/env bash
# Regenerate the bundled lesson recordings (assets/recordings/SLUG.jsonl):
# forklore falls back to them when no usable python3 is found. Each is a
# real run of the lesson with its default parameters.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release --quiet
bin=target/release/forklore
for slug in $("$bin" list | awk '{print $1}'); do
    "$bin" lesson "$slug" --headless --record "assets/recordings/$slug.jsonl" > /dev/null
    echo "recorded $slug: $(wc -l < "assets/recordings/$slug.jsonl") events"
done
