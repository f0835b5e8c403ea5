#!/usr/bin/env bash
# Smoke test of the frozen build, run by CI after packaging/build.sh (no Python needed):
#   1. `governance-app --version` prints the version;
#   2. the demo workspace opens in the main window (offscreen), every view is visited and a
#      screenshot of each is written (GOVERNANCE_APP_SMOKE_SCREENSHOT, governance_app/ui/startup_hooks.py).
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
end=$(date +%s.%N)
printf 'smoke: OK, %d views visited, screenshots in %s, %.1f s\n' "$count" "$OUT" \
    "$(echo "$end - $start" | bc)"
