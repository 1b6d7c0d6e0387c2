#!/usr/bin/env bash
# Copies the NHS.UK frontend's compiled CSS, JS and images from its npm package into public/nhsuk,
# from where the build copies them into the site. No Sass toolchain is needed.
#
# The CSS's two @font-face rules are taken out: they load Frutiger from assets.nhs.uk, which is
# licensed for services on nhs.uk only (the NHS identity guidelines ask other services to use
# Arial, the stack's next font), and which would tell a third party the address of every member
# of staff who opens a page. With them gone the pages load nothing from outside this site.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ ! -f node_modules/nhsuk-frontend/package.json ] || \
   [ "$(node -p "require('./node_modules/nhsuk-frontend/package.json').version")" != "$(node -p "require('./package.json').dependencies['nhsuk-frontend']")" ]; then
  npm ci --silent --no-audit --no-fund
fi
src=node_modules/nhsuk-frontend/dist/nhsuk
dest=public/nhsuk
# The marker names the package's version and how the CSS was changed, so either change redoes it.
marker="$(node -p "require('./node_modules/nhsuk-frontend/package.json').version") without @font-face"
if [ ! -f "$dest/.version" ] || [ "$(cat "$dest/.version")" != "$marker" ]; then
  rm -rf "$dest" && mkdir -p "$dest"
  # The CSS's source map no longer matches once the rules are out, so it is not copied.
  sed -e 's/@font-face{[^}]*}//g' -e '/sourceMappingURL/d' "$src/nhsuk-frontend.min.css" > "$dest/nhsuk-frontend.min.css"
  if grep -q 'assets\.nhs\.uk\|@font-face' "$dest/nhsuk-frontend.min.css"; then
    echo "assets: nhsuk-frontend.min.css still loads something from outside the site" >&2
    exit 1
  fi
  cp "$src/nhsuk-frontend.min.js" "$src/nhsuk-frontend.min.js.map" "$dest/"
  cp -r "$src/assets" "$dest/assets"
  cp "$src/assets/images/favicon.ico" public/favicon.ico
  echo "$marker" > "$dest/.version"
fi
