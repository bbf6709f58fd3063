#!/usr/bin/env bash
# The main job: install what is needed, then make the reports for the bundled sample.
# Extra arguments are passed to `socvit reports` (see `socvit reports --help`).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
exec .venv/bin/socvit reports "$@"
