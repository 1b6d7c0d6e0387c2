#!/usr/bin/env bash
# The browser bundle's size, page by page: the wasm and JavaScript a page loads, each file
# gzipped on its own (as the server sends it). Run after the release wasm build
# (`cargo leptos build --release --split`); a size check on the built files, not a timing, so it
# cannot flake.
#
# Every page loads the same base: the NHS.UK frontend's script, ours (js/enhance.js), and
# Leptos's loader, main wasm module and split loader. Each form island is lazy (`#[island(lazy)]`):
# its code is split into chunks (pkg/__wasm_split_manifest.json lists each island's chunks),
# fetched only by a page that has that island. So a page loads the base plus the chunks of its
# islands. PAGES below lists the pages with more than one island; every other island is alone
# on its page. A new island that shares a page with another must be added there, or its page is
# under-counted; an island PAGES names that no longer exists fails the check.
#
# The budget (BUDGET_KB, 250 KB) holds for every page: a page over it fails the test command,
# which names the page and says by how much.
#
# Usage: scripts/check-bundle.sh [SITE_ROOT]   (default target/site)
set -euo pipefail
cd "$(dirname "$0")/.."
SITE="${1:-target/site}" BUDGET_KB="${BUDGET_KB:-250}" python3 - <<'EOF'
import gzip, json, os, sys
from pathlib import Path

site = Path(os.environ["SITE"])
budget = int(os.environ["BUDGET_KB"]) * 1000
pkg = site / "pkg"

def gz(path: Path) -> int:
    if not path.is_file():
        sys.exit(f"check-bundle: {path} is missing: build the release bundle first (cargo leptos build --release --split)")
    return len(gzip.compress(path.read_bytes(), 9))

base_files = [site / "nhsuk/nhsuk-frontend.min.js", site / "js/enhance.js", pkg / "pp.js", pkg / "pp.wasm"]
base_files += sorted(pkg.glob("__wasm_split*.js"))
manifest_path = pkg / "__wasm_split_manifest.json"
if not manifest_path.is_file():
    sys.exit(f"check-bundle: {manifest_path} is missing: the bundle must be built with --split")
manifest = json.loads(manifest_path.read_text())
# "apply_form_loader_1715…" -> "apply_form"
islands = {key.split("_loader_")[0]: [pkg / f"{c}.wasm" for c in chunks] for key, chunks in manifest.items()}

PAGES = {
    "/trusts/:ods (project manager)": ["add_team_form", "add_site_form", "rename_site_form", "edit_trust_form"],
    "/people/:id": ["grant_role_form", "edit_person_form"],
    "/people/:id/passport": ["issue_form", "revoke_form"],
    "/placements/:id": ["apply_form", "cancel_placement_form"],
    "/applications/:id": ["reason_form", "feedback_form"],
    "/pathways (project manager)": ["add_pathway_form", "rename_pathway_form"],
}
unknown = sorted({i for names in PAGES.values() for i in names} - islands.keys())
if unknown:
    sys.exit(f"check-bundle: PAGES names islands the bundle does not have: {', '.join(unknown)}")
grouped = {i for names in PAGES.values() for i in names}
pages = dict(PAGES)
for island in sorted(islands.keys() - grouped):
    pages[f"page with {island}"] = [island]
pages["page without a form"] = []

sizes = {}
base = sum(sizes.setdefault(f, gz(f)) for f in base_files)
rows = []
for page, names in pages.items():
    chunks = {c for n in names for c in islands[n]}
    rows.append((base + sum(sizes.setdefault(c, gz(c)) for c in chunks), page))
rows.sort(reverse=True)

print(f"base every page loads: {base} bytes gzipped ({', '.join(f.name for f in base_files)})")
print(f"{'page':<44} {'gzip bytes':>10}  against the {budget // 1000} KB budget")
for total, page in rows:
    print(f"{page:<44} {total:>10}  {f'{budget - total} to spare' if total <= budget else f'{total - budget} OVER'}")
over = [(t, p) for t, p in rows if t > budget]
if over:
    sys.exit("check-bundle: over the budget: " + "; ".join(
        f"{p} loads {t} bytes of wasm and JavaScript gzipped, {t - budget} bytes over {budget // 1000} KB" for t, p in over))
worst, page = rows[0]
print(f"check-bundle: every page within the {budget // 1000} KB budget; the heaviest is {page}, {worst} bytes")
EOF
