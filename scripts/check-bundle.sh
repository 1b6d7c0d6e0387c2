#!/usr/bin/env bash
# The browser bundle's budget: the wasm and JavaScript every page loads, gzipped, at most
# BUNDLE_BUDGET_KB (250 KB). Run after the release wasm build (`cargo leptos build --release`);
# a size check on the built files, not a timing, so it cannot flake. A change that breaks the
# budget fails the test command and says by how much.
#
# Usage: scripts/check-bundle.sh [SITE_ROOT]   (default target/site)
set -euo pipefail
cd "$(dirname "$0")/.."
site="${1:-target/site}"
budget_kb="${BUNDLE_BUDGET_KB:-250}"

# What the page shell loads (app/src/lib.rs `shell`): the NHS.UK frontend's script and ours,
# and the Leptos loader's JS and wasm (named pp.*, or pp.<hash>.* when files are hashed).
pick() { # newest file matching a glob, or nothing
  ls -t $1 2>/dev/null | head -n 1 || true
}
files=(
  "$site/nhsuk/nhsuk-frontend.min.js"
  "$site/js/enhance.js"
  "$(pick "$site/pkg/pp*.js")"
  "$(pick "$site/pkg/pp*.wasm")"
)

total=0
printf '%-48s %10s %10s\n' "file" "bytes" "gzip" >&2
for f in "${files[@]}"; do
  if [ -z "$f" ] || [ ! -f "$f" ]; then
    echo "check-bundle: missing ${f:-a pkg file} under $site: build the release bundle first" >&2
    exit 1
  fi
  raw=$(stat -c %s "$f")
  gz=$(gzip -9 -c "$f" | wc -c)
  total=$((total + gz))
  printf '%-48s %10d %10d\n' "${f#"$site"/}" "$raw" "$gz" >&2
done

budget=$((budget_kb * 1000))
printf '%-48s %10s %10d (budget %d)\n' "total" "" "$total" "$budget" >&2
if [ "$total" -gt "$budget" ]; then
  over=$((total - budget))
  echo "check-bundle: the wasm and JavaScript a page loads is ${total} bytes gzipped, ${over} bytes over the ${budget_kb} KB budget" >&2
  exit 1
fi
echo "check-bundle: ${total} bytes gzipped, within the ${budget_kb} KB budget ($(( (budget - total) * 100 / budget ))% to spare)" >&2
