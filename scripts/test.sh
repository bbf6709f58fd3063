#!/usr/bin/env bash
# Install what is needed, then run the whole test suite. Extra arguments go to pytest.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
# The PDF and accessibility tests (tests/test_accessibility.py) need Chromium, poppler-utils
# (pdfinfo, pdftotext) and npm (the test installs axe-core into .cache/axe-core); install
# what is missing when running as root (CI on a fresh machine), else say what to install.
missing=()
command -v chromium >/dev/null || command -v chromium-browser >/dev/null \
  || command -v google-chrome >/dev/null || missing+=(chromium)
command -v pdftotext >/dev/null || missing+=(poppler-utils)
command -v npm >/dev/null || missing+=(npm)
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "Installing ${missing[*]} (for the PDF and accessibility tests) ..."
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
  else
    echo "scripts/test.sh: install ${missing[*]}: the PDF and accessibility tests need them." >&2
  fi
fi
export MPLBACKEND=Agg
exec .venv/bin/python -m pytest "$@"
