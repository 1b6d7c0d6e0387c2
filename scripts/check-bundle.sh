#!/usr/bin/env bash
# The browser bundle's size, page by page: the wasm and JavaScript a page loads, each file
# gzipped on its own, as the server sends it: the .gz copy the build made beside each file
# (--precompress), or gzip -9 of a file that has none. Run after the release wasm build
# (`cargo leptos build --release --split --precompress`); a size check on the built files, not a
# timing, so it cannot flake. The brotli total (what browsers that accept it get) is printed too.
#
# The bundle's names carry the hash of their content (hash-files); the main module's hashes are
# read from the site's hash.txt, and the chunks' hashed names from the split manifest.
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

BUILD = "cargo leptos build --release --split --precompress"

def missing(path: Path):
    sys.exit(f"check-bundle: {path} is missing: build the release bundle first ({BUILD})")

def gz(path: Path) -> int:
    if not path.is_file():
        missing(path)
    pre = path.with_name(path.name + ".gz")
    return pre.stat().st_size if pre.is_file() else len(gzip.compress(path.read_bytes(), 9))

def br(path: Path):
    pre = path.with_name(path.name + ".br")
    return pre.stat().st_size if pre.is_file() else None

hashes = {}
if (site / "hash.txt").is_file():
    for line in (site / "hash.txt").read_text().splitlines():
        kind, _, value = line.partition(":")
        hashes[kind.strip()] = value.strip()
def main(kind: str) -> Path:
    return pkg / (f"pp.{hashes[kind]}.{kind}" if kind in hashes else f"pp.{kind}")

base_files = [site / "nhsuk/nhsuk-frontend.min.js", site / "js/enhance.js", main("js"), main("wasm")]
base_files += sorted(p for p in pkg.glob("__wasm_split.*.js") if not p.name.startswith("__wasm_split_manifest"))
manifests = sorted(pkg.glob("__wasm_split_manifest*.json"))
if len(manifests) != 1:
    sys.exit(f"check-bundle: expected one split manifest in {pkg}, found {len(manifests)}: the bundle must be built with --split")
manifest_path = manifests[0]
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

sizes, br_sizes = {}, {}
def total(files):
    return sum(sizes.setdefault(f, gz(f)) for f in files)
def total_br(files):
    got = [br_sizes.setdefault(f, br(f)) for f in files]
    return None if None in got else sum(got)

rows = []
for page, names in pages.items():
    files = base_files + sorted({c for n in names for c in islands[n]})
    rows.append((total(files), total_br(files), page))
rows.sort(key=lambda r: r[0], reverse=True)

base = total(base_files)
print(f"base every page loads: {base} bytes gzipped ({', '.join(f.name for f in base_files)})")
print(f"{'page':<44} {'gzip bytes':>10} {'brotli':>8}  against the {budget // 1000} KB budget (gzip)")
for total_gz, total_b, page in rows:
    spare = f"{budget - total_gz} to spare" if total_gz <= budget else f"{total_gz - budget} OVER"
    print(f"{page:<44} {total_gz:>10} {total_b if total_b is not None else '-':>8}  {spare}")
over = [(t, p) for t, _, p in rows if t > budget]
if over:
    sys.exit("check-bundle: over the budget: " + "; ".join(
        f"{p} loads {t} bytes of wasm and JavaScript gzipped, {t - budget} bytes over {budget // 1000} KB" for t, p in over))
worst, _, page = rows[0]
print(f"check-bundle: every page within the {budget // 1000} KB budget; the heaviest is {page}, {worst} bytes")
EOF
