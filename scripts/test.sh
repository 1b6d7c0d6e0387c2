#!/usr/bin/env bash
# The test command: installs what is missing, builds once, and runs every test — unit tests,
# the integration suite against the real router on SQLite and again on PostgreSQL, and the
# browser tests in real Chromium with an accessibility check of every page they visit.
set -euo pipefail
cd "$(dirname "$0")/.."
started=$(date +%s)
step() { printf '\n\033[1;32m==> %s\033[0m (%ss)\n' "$*" "$(( $(date +%s) - started ))" >&2; }

export APP_TEST_POSTGRES_URL="${APP_TEST_POSTGRES_URL:-postgres://pp_test:pp_test@127.0.0.1:5432/postgres}"
TEST_ARGS=(-p app -p server -p migrations -p credential --features app/ssr)

step "install toolchain and test dependencies"
bash scripts/install-toolchain.sh
bash scripts/install-test-deps.sh
bash scripts/assets.sh

# House rules before anything is built: one formatting, server code never importing the
# `#[server]` shells, and clippy with every warning an error (its check build shares the
# dependencies' metadata with nothing else, so it runs once, here).
step "formatting, imports and lints"
cargo fmt --all --check
bash scripts/check-imports.sh
cargo clippy "${TEST_ARGS[@]}" --all-targets -- -D warnings

# The browser bundle (wasm + JS + CSS + assets) into target/site, built once in release (the
# wasm-release profile and wasm-opt), as it ships (hashed names, gzip and brotli copies): the
# browser tests and the integration tests load it, and its size is held to the budget here. The server is built by cargo test below (debug), shared by every stage.
step "build the browser bundle (release) and check its size budget"
cargo leptos build --frontend-only --release --split --precompress
bash scripts/gzip-site.sh target/site
bash scripts/check-bundle.sh target/site

step "build the server and the test binaries"
cargo test "${TEST_ARGS[@]}" --no-run

# Each test stage has a time limit well above its usual run (seconds), so a stuck test fails
# the run with its name in the log instead of using up CI's whole allowance.
step "unit and integration tests on SQLite"
APP_TEST_DATABASE=sqlite timeout --signal=INT --kill-after=30 600 cargo test "${TEST_ARGS[@]}"

step "integration tests on PostgreSQL"
APP_TEST_DATABASE=postgres timeout --signal=INT --kill-after=30 600 cargo test "${TEST_ARGS[@]}" --test api

step "browser tests in Chromium (JavaScript on and off, axe-core WCAG 2.2 AA)"
# target/debug/server was built by the cargo test runs above (integration tests need the binary).
(cd end2end && SERVER_BIN="$PWD/../target/debug/server" SITE_ROOT="$PWD/../target/site" \
    timeout --signal=INT --kill-after=30 600 npm test)

step "all tests passed in $(( $(date +%s) - started ))s"
