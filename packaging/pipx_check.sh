#!/usr/bin/env bash
# `pipx install` of the wheel gives a working `governance-app` (issue 9), checked as a user would:
#   1. build the wheel (python -m build) into a throw-away folder;
#   2. install pipx into a throw-away venv, and the wheel with pipx (PIPX_HOME, PIPX_BIN_DIR
#      in the same folder: nothing outside it is touched);
#   3. run the installed commands with private HOME/XDG folders: --version, kinds, the demo
#      workspace built, `--db DEMO models`, the window offscreen on the demo with every view
#      visited and screenshotted, and `governance-app-gui --db DEMO` up to its shown window.
#
#   packaging/pipx_check.sh [PYTHON] [WORK_DIR]   (defaults: .venv/bin/python, a temp folder)
#
# It takes about 3 minutes, most of it pipx installing PySide6, pandas, pyarrow... from the
# package index, so CI runs it as a step after the test suite (.ci/run), not from pytest.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
PYTHON="${1:-}"
if [[ -z "$PYTHON" ]]; then
    if [[ -x "$ROOT/.venv/bin/python" ]]; then PYTHON="$ROOT/.venv/bin/python"; else PYTHON=python3; fi
fi
if [[ "$PYTHON" == */* ]]; then  # absolute: pipx and the checks below run elsewhere
    PYTHON="$(cd "$(dirname "$PYTHON")" && pwd)/$(basename "$PYTHON")"
fi
WORK="${2:-$(mktemp -d -t governance-pipx-XXXXXX)}"
mkdir -p "$WORK"
start=$(date +%s)

"$PYTHON" -m build --wheel --outdir "$WORK/dist" "$ROOT" >"$WORK/build.log" 2>&1 \
    || { tail -30 "$WORK/build.log" >&2; echo "pipx: the wheel did not build" >&2; exit 1; }
wheel=$(ls "$WORK"/dist/governance_app-*.whl)
echo "pipx: built $(basename "$wheel")"

# pipx itself in a throw-away venv, and everything it installs under $WORK.
"$PYTHON" -m venv "$WORK/pipx-venv"
"$WORK/pipx-venv/bin/pip" install -q pipx
export PIPX_HOME="$WORK/pipx-home" PIPX_BIN_DIR="$WORK/bin" PIPX_MAN_DIR="$WORK/man"
# pipx makes the app's venv with the Python the project needs (3.11+), the one we were given.
"$WORK/pipx-venv/bin/pipx" install --python "$PYTHON" "$wheel" >"$WORK/pipx.log" 2>&1 \
    || { tail -30 "$WORK/pipx.log" >&2; echo "pipx: pipx install failed" >&2; exit 1; }
APP="$WORK/bin/governance-app"
GUI="$WORK/bin/governance-app-gui"
for exe in "$APP" "$GUI"; do
    [[ -x "$exe" ]] || { echo "pipx: pipx installed no $(basename "$exe")" >&2; exit 1; }
done

# A user's machine: private folders, no checkout or venv on the paths, no display.
export HOME="$WORK/home" XDG_DATA_HOME="$WORK/home/data" XDG_CONFIG_HOME="$WORK/home/config" \
       XDG_CACHE_HOME="$WORK/home/cache" XDG_STATE_HOME="$WORK/home/state"
export QT_QPA_PLATFORM="${QT_QPA_PLATFORM:-offscreen}"
unset PYTHONPATH PYTHONHOME VIRTUAL_ENV GOVERNANCE_APP_DB
mkdir -p "$HOME"
cd "$HOME"

version="$("$APP" --version)"
[[ "$version" == governance-app\ * ]] || { echo "pipx: unexpected --version: $version" >&2; exit 1; }
echo "pipx: $version"
"$APP" kinds >/dev/null
demo="$("$APP" demo --no-window)"
models="$("$APP" --db "$demo" models)"
grep -q credit_default <<<"$models" || { echo "pipx: the demo lists no credit_default" >&2; exit 1; }
echo "pipx: demo workspace $demo lists $(($(wc -l <<<"$models") - 2)) models"

GOVERNANCE_APP_SMOKE_SCREENSHOT="$WORK/shots/smoke.png" "$APP" demo >"$WORK/gui.log"
count=$(ls "$WORK"/shots/smoke-*.png | wc -l)
[[ -s "$WORK/shots/smoke.png" && $count -ge 7 ]] \
    || { cat "$WORK/gui.log" >&2; echo "pipx: the window did not visit every view" >&2; exit 1; }
shown="$(GOVERNANCE_APP_QUIT_AFTER_SHOWN=1 "$GUI" --db "$demo")"
[[ "$shown" == *"main window shown"* ]] \
    || { echo "pipx: governance-app-gui did not show its window" >&2; exit 1; }
echo "pipx: OK, window visited $count views (screenshots in $WORK/shots), governance-app-gui" \
     "shown, $(($(date +%s) - start)) s"
