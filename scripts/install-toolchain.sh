#!/usr/bin/env bash
# Installs everything the build and the tests need, idempotently, following shared/TOOLCHAIN.md:
# Debian's rustc-web (used for the whole project, server and wasm), a wasm32 std built once into its
# sysroot, cargo-leptos, wasm-bindgen-cli, wasm-opt (binaryen from npm), Chromium and its driver.
# Each step is skipped when what it installs is already there, so re-running it takes seconds.
set -euo pipefail

log() { printf '\033[1;34m[install]\033[0m %s\n' "$*" >&2; }
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"

CARGO_LEPTOS_VERSION=0.3.11
WASM_BINDGEN_VERSION=0.2.130   # must equal the wasm-bindgen crate pinned in Cargo.toml
BINARYEN_VERSION=132.0.0
APT_PACKAGES=(rustc-web cargo-web rust-web-src lld-22 rust-web-clippy rustfmt-web chromium chromium-driver)

# 1. Debian packages.
missing=()
for p in "${APT_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  log "apt-get install ${missing[*]}"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}" >/dev/null
fi
# Debian's binaryen (v108) breaks wasm-bindgen's externref table: never use it.
if dpkg-query -W -f='${Status}' binaryen 2>/dev/null | grep -q "install ok installed"; then
  log "removing Debian binaryen (v108 breaks hydration)"
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get remove -y -qq binaryen >/dev/null
fi

# 2. A rustup toolchain named "web" pointing at Debian's rustc (rust-toolchain.toml uses path = "/usr").
if command -v rustup >/dev/null 2>&1; then
  rustup toolchain list | grep -q '^web' || { log "rustup toolchain link web /usr"; rustup toolchain link web /usr; }
  CARGO=(cargo +web)
else
  CARGO=(env RUSTC=/usr/bin/rustc /usr/bin/cargo)
fi
RUSTC_VERSION=$(/usr/bin/rustc --version)

# 3. wasm32 std into Debian's sysroot, rebuilt whenever rustc-web changes.
SYSROOT_LIB=/usr/lib/rustlib/wasm32-unknown-unknown/lib
STAMP="$SYSROOT_LIB/.built-by"
if [ ! -f "$STAMP" ] || [ "$(cat "$STAMP")" != "$RUSTC_VERSION" ]; then
  log "building wasm32 std for $RUSTC_VERSION (about a minute)"
  work=$(mktemp -d)
  mkdir -p "$work/src" && touch "$work/src/lib.rs"
  printf '[toolchain]\npath = "/usr"\n' > "$work/rust-toolchain.toml"
  printf '[workspace]\n[package]\nname = "sysroot-dummy"\nversion = "0.0.0"\nedition = "2021"\n' > "$work/Cargo.toml"
  (cd "$work" && RUSTC_BOOTSTRAP=1 RUSTFLAGS="-Cembed-bitcode=yes" "${CARGO[@]}" build -q --release \
      --target wasm32-unknown-unknown -Zbuild-std=std,panic_abort)
  $SUDO rm -rf "$SYSROOT_LIB" && $SUDO mkdir -p "$SYSROOT_LIB"
  $SUDO cp "$work"/target/wasm32-unknown-unknown/release/deps/lib*.rlib "$SYSROOT_LIB"/
  $SUDO rm -f "$SYSROOT_LIB"/libsysroot_dummy-*.rlib
  echo "$RUSTC_VERSION" | $SUDO tee "$STAMP" >/dev/null
  rm -rf "$work"
  # Stale wasm artefacts built against an older std fail with a misleading error: drop them.
  [ -d target/front ] && rm -rf target/front || true
fi

# 4. Build tools, pinned to the versions the lockfile needs.
installed_version() { "$1" --version 2>/dev/null | awk '{print $2}'; }
if [ "$(installed_version cargo-leptos)" != "$CARGO_LEPTOS_VERSION" ]; then
  log "cargo install cargo-leptos $CARGO_LEPTOS_VERSION (about 20 minutes on 2 cores)"
  "${CARGO[@]}" install -q cargo-leptos --version "$CARGO_LEPTOS_VERSION" --locked --features no_downloads
fi
if [ "$(installed_version wasm-bindgen)" != "$WASM_BINDGEN_VERSION" ]; then
  log "cargo install wasm-bindgen-cli $WASM_BINDGEN_VERSION"
  "${CARGO[@]}" install -q wasm-bindgen-cli --version "$WASM_BINDGEN_VERSION" --force
fi
if ! wasm-opt --version 2>/dev/null | grep -q "version ${BINARYEN_VERSION%%.*}"; then
  log "npm install -g binaryen@$BINARYEN_VERSION (wasm-opt)"
  $SUDO npm install -g --silent "binaryen@$BINARYEN_VERSION" >/dev/null
fi
log "toolchain ready: $RUSTC_VERSION, cargo-leptos $(installed_version cargo-leptos), wasm-bindgen $(installed_version wasm-bindgen)"
