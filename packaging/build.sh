#!/usr/bin/env bash
# Build the one-folder Linux application: dist/governance-app/governance-app.
#
#   packaging/build.sh [PYTHON]      (default: .venv/bin/python, else python3)
#
# Needs the "packaging" extra (pip install -e '.[packaging]'). Rebuilds the icon PNGs from the
# SVG first so the bundle never carries stale icons. Prints the size of the result.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
PYTHON="${1:-}"
if [[ -z "$PYTHON" ]]; then
    if [[ -x .venv/bin/python ]]; then PYTHON=.venv/bin/python; else PYTHON=python3; fi
fi
export QT_QPA_PLATFORM="${QT_QPA_PLATFORM:-offscreen}"
"$PYTHON" packaging/render_icons.py >/dev/null
"$PYTHON" -m PyInstaller --noconfirm --clean --log-level WARN \
    --distpath "$ROOT/dist" --workpath "$ROOT/build/pyinstaller" \
    packaging/governance-app.spec
# The desktop entry runs governance-app-gui (Exec=): the same executable under that name opens
# the window or the welcome screen (packaging/launcher.py dispatches on the name).
ln -sfn governance-app "$ROOT/dist/governance-app/governance-app-gui"
echo "built: $ROOT/dist/governance-app/governance-app (and governance-app-gui)"
du -sh "$ROOT/dist/governance-app"
