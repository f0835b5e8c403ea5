#!/usr/bin/env bash
# Smoke test of the frozen build, run by CI after packaging/build.sh (no Python needed):
#   1. `governance-app --version` prints the version;
#   2. the demo workspace opens in the main window (offscreen), every view is visited and a
#      screenshot of each is written (GOVERNANCE_APP_SMOKE_SCREENSHOT, governance_app/ui/startup_hooks.py);
#   3. the desktop entry's Exec= executable (governance-app-gui) exists and shows the window.
#
#   packaging/smoke_test.sh [DIST_DIR] [OUT_DIR]   (defaults: dist/governance-app, a temp folder)
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
DIST="${1:-$ROOT/dist/governance-app}"
OUT="${2:-$(mktemp -d -t governance-smoke-XXXXXX)}"
APP="$DIST/governance-app"
[[ -x "$APP" ]] || { echo "smoke: no frozen app at $APP (run packaging/build.sh)" >&2; exit 2; }

# Private, throw-away user folders: the smoke test never touches a real workspace or settings.
export HOME="$OUT/home" XDG_DATA_HOME="$OUT/data" XDG_CONFIG_HOME="$OUT/config" \
       XDG_CACHE_HOME="$OUT/cache" XDG_STATE_HOME="$OUT/state"
export QT_QPA_PLATFORM="${QT_QPA_PLATFORM:-offscreen}"
# Make sure no Python from the machine can be used by the frozen app.
unset PYTHONPATH PYTHONHOME VIRTUAL_ENV
mkdir -p "$HOME"

start=$(date +%s.%N)
version="$("$APP" --version)"
echo "smoke: $version"
[[ "$version" == governance-app\ * ]] || { echo "smoke: unexpected --version output" >&2; exit 1; }

"$APP" kinds >/dev/null
"$APP" completion bash >/dev/null

GOVERNANCE_APP_SMOKE_SCREENSHOT="$OUT/smoke.png" "$APP" demo
for png in "$OUT"/smoke-*.png "$OUT/smoke.png"; do
    [[ -s "$png" ]] || { echo "smoke: missing screenshot $png" >&2; exit 1; }
done
count=$(ls "$OUT"/smoke-*.png | wc -l)

# The desktop entry's Exec= names an executable the frozen build provides, and it opens the
# window (governance-app-gui: the last workspace, here the demo, or the welcome screen).
desktop="$ROOT/packaging/linux/io.github.governance_app.GovernanceApp.desktop"
exec_name="$(sed -n 's/^Exec=\([^ ]*\).*/\1/p' "$desktop")"
[[ -x "$DIST/$exec_name" ]] || { echo "smoke: the desktop entry runs $exec_name, which $DIST lacks" >&2; exit 1; }
shown="$(GOVERNANCE_APP_QUIT_AFTER_SHOWN=1 "$DIST/$exec_name" --db "$("$APP" demo --no-window)")"
[[ "$shown" == *"main window shown"* ]] || { echo "smoke: $exec_name did not show its window" >&2; exit 1; }
echo "smoke: desktop entry Exec=$exec_name opens the window"
end=$(date +%s.%N)
printf 'smoke: OK, %d views visited, screenshots in %s, %.1f s\n' "$count" "$OUT" \
    "$(echo "$end - $start" | bc)"
