#!/usr/bin/env bash
# Services must not depend on the wire shells: server-side code never imports `api` (the #[server]
# functions), so an edit to a service does not rebuild the browser crate's shells; domain stays a leaf.
set -euo pipefail
cd "$(dirname "$0")/.."

# scan HARD SOFT DIR...: prints file:line: text for each non-comment line of DIR/**.rs matching
# HARD, or matching SOFT unless the line directly above is #[cfg(feature = "ssr")].
scan() {
  local hard=$1 soft=$2 dirs=() d
  shift 2
  for d in "$@"; do [[ -d $d ]] && dirs+=("$d"); done
  ((${#dirs[@]})) || return 0
  find "${dirs[@]}" -name '*.rs' -print0 | sort -z | xargs -0 -r awk -v hard="$hard" -v soft="$soft" '
    FNR == 1 { prev = "" }
    { t = $0; sub(/^[ \t]+/, "", t); sub(/[ \t]+$/, "", t) }
    t !~ /^\/\// && ($0 ~ hard || (soft != "" && $0 ~ soft && prev !~ /^#\[cfg\(feature *= *"ssr"\)\]$/)) {
      print FILENAME ":" FNR ": " t
    }
    { prev = t }'
}

# `crate::api`, `app::api`, `super::super::api`, or `api` inside a one-line `use crate::{...}`.
server_api="(^|[^A-Za-z0-9_:])(crate|app|super::super)::(api($|[^A-Za-z0-9_])|[{][^}]*[{, ]api(::|[,} ]))"
domain_hard="(^|[^A-Za-z0-9_:])crate::((api|pages|components)($|[^A-Za-z0-9_])|[{][^}]*[{, ](api|pages|components)(::|[,} ]))"
domain_soft="(^|[^A-Za-z0-9_:])crate::(server($|[^A-Za-z0-9_])|[{][^}]*[{, ]server(::|[,} ]))"

offending=$(
  scan "$server_api" "" app/src/server server/src
  scan "$domain_hard" "$domain_soft" app/src/domain app/src/views
)

if [[ -n $offending ]]; then
  printf '%s\n' "$offending"
  echo "imports: FAILED ($(wc -l <<<"$offending") lines: server code must not import api/; domain and views must not import api/, pages/, components/ or, outside #[cfg(feature = \"ssr\")], server/)" >&2
  exit 1
fi
echo "imports: ok (server code does not import api/)"
