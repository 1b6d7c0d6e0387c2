#!/usr/bin/env bash
# Replaces the gzip copies `cargo leptos build --precompress` wrote beside each file of the site
# with `gzip -9` ones. cargo-leptos compresses with libflate, whose output is about 11 % larger
# than gzip -9's (the placement forms' page: 280 KB against 250 KB); its brotli copies are kept.
# -n leaves out the name and time, so the same file gives the same bytes. Run after every
# release build of the bundle.
#
# Usage: scripts/gzip-site.sh [SITE_ROOT]   (default target/site)
set -euo pipefail
cd "$(dirname "$0")/.."
site="${1:-target/site}"
find "$site" -type f -name '*.gz' -print0 | while IFS= read -r -d '' gz; do
  gzip -9 -n -c "${gz%.gz}" > "$gz.tmp" && mv "$gz.tmp" "$gz"
done
