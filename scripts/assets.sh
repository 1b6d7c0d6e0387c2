#!/usr/bin/env bash
# Copies the NHS.UK frontend's compiled CSS, JS and images from its npm package into public/nhsuk,
# from where the build copies them into the site. No Sass toolchain is needed.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ ! -f node_modules/nhsuk-frontend/package.json ] || \
   [ "$(node -p "require('./node_modules/nhsuk-frontend/package.json').version")" != "$(node -p "require('./package.json').dependencies['nhsuk-frontend']")" ]; then
  npm ci --silent --no-audit --no-fund
fi
src=node_modules/nhsuk-frontend/dist/nhsuk
dest=public/nhsuk
if [ ! -f "$dest/.version" ] || [ "$(cat "$dest/.version")" != "$(node -p "require('./node_modules/nhsuk-frontend/package.json').version")" ]; then
  rm -rf "$dest" && mkdir -p "$dest"
  cp "$src/nhsuk-frontend.min.css" "$src/nhsuk-frontend.min.css.map" "$src/nhsuk-frontend.min.js" "$src/nhsuk-frontend.min.js.map" "$dest/"
  cp -r "$src/assets" "$dest/assets"
  cp "$src/assets/images/favicon.ico" public/favicon.ico
  node -p "require('./node_modules/nhsuk-frontend/package.json').version" > "$dest/.version"
fi
