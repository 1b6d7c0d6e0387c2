#!/usr/bin/env bash
# What the tests need beyond the build toolchain, installed idempotently: the SMTP server the
# tests talk to (aiosmtpd, from PyPI), the browser-test packages (npm), a running PostgreSQL with
# the test role, and nginx for the reverse-proxy tests. Safe to re-run.
set -euo pipefail
cd "$(dirname "$0")/.."
log() { printf '\033[1;34m[test-deps]\033[0m %s\n' "$*" >&2; }
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"

# A real SMTP server for the integration tests.
if ! python3 -c 'import aiosmtpd' 2>/dev/null; then
  log "pip install aiosmtpd"
  python3 -m pip install --quiet --disable-pip-version-check --root-user-action=ignore 'aiosmtpd==1.4.6'
fi

# A real reverse proxy for the client-address tests (the tests start their own nginx on a free
# port; the package's own service is not started here).
if ! command -v nginx >/dev/null 2>&1; then
  log "apt-get install nginx-light"
  $SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive RUNLEVEL=1 $SUDO apt-get install -y -qq nginx-light >/dev/null
  # Where a package's service does start on install, stop it: the tests need only the binary.
  $SUDO nginx -s stop 2>/dev/null || true
fi

# Browser-test packages (playwright-core drives the system Chromium; axe-core checks WCAG).
if [ ! -d end2end/node_modules/playwright-core ] || [ end2end/package-lock.json -nt end2end/node_modules/.package-lock.json ]; then
  log "npm ci (end2end)"
  (cd end2end && npm ci --silent --no-audit --no-fund)
fi

# The independent SD-JWT VC verifier (OpenWallet Foundation's @sd-jwt packages) that checks the
# passports the app issues.
if [ ! -d server/tests/independent/node_modules/@sd-jwt/sd-jwt-vc ] || \
   [ server/tests/independent/package-lock.json -nt server/tests/independent/node_modules/.package-lock.json ]; then
  log "npm ci (independent verifier)"
  (cd server/tests/independent && npm ci --silent --no-audit --no-fund)
fi

# PostgreSQL: start it if it is down, then make the test role (allowed to create databases).
if command -v pg_ctlcluster >/dev/null 2>&1; then
  if ! pg_isready -q -h 127.0.0.1 -p 5432; then
    log "starting PostgreSQL"
    version=$(ls /etc/postgresql | sort -V | tail -n1)
    $SUDO pg_ctlcluster --skip-systemctl-redirect "$version" main start || $SUDO pg_ctlcluster "$version" main start
    for _ in $(seq 1 30); do pg_isready -q -h 127.0.0.1 -p 5432 && break; sleep 1; done
  fi
else
  if ! command -v psql >/dev/null 2>&1; then
    log "apt-get install postgresql"
    $SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq postgresql >/dev/null
    version=$(ls /etc/postgresql | sort -V | tail -n1)
    $SUDO pg_ctlcluster --skip-systemctl-redirect "$version" main start || true
  fi
fi
# As the postgres OS user over the local socket, whatever auth TCP connections need.
psql_admin() {
  if [ "$(id -un)" = postgres ]; then
    psql -qtAX "$@"
  elif [ "$(id -u)" -eq 0 ]; then
    runuser -u postgres -- psql -qtAX "$@"
  else
    sudo -u postgres psql -qtAX "$@"
  fi
}
if ! psql_admin -c "SELECT 1 FROM pg_roles WHERE rolname = 'pp_test'" | grep -q 1; then
  log "creating PostgreSQL role pp_test"
  psql_admin -c "CREATE ROLE pp_test LOGIN CREATEDB PASSWORD 'pp_test'"
fi
# Leftover databases of earlier runs.
for db in $(psql_admin -c "SELECT datname FROM pg_database WHERE datname LIKE 'pp_test_%'"); do
  psql_admin -c "DROP DATABASE IF EXISTS \"$db\"" >/dev/null || true
done
