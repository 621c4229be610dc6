#!/usr/bin/env bash
# Lighthouse on the public pages of a board with the demo data: home, the idea list, an idea
# page, the roadmap and the changelog. Prints the four category scores of each page and the
# audits that cost points; exits 1 when a score is below MIN_SCORE (95).
#   scripts/lighthouse.sh                          starts `make run` (a fresh var/, SQLite, the
#                                                  demo) on port 8766, measures, stops it
#   scripts/lighthouse.sh http://127.0.0.1:8000    measures a server already running
# Lighthouse 12 (npm) is installed on first use into var/lighthouse, from scripts/lighthouse/
# (about 200 MB, so not by `make install`); it drives /usr/bin/chromium (CHROME_PATH). Mobile
# emulation, Lighthouse's default; LIGHTHOUSE_ARGS="--preset=desktop" for the desktop one.
set -euo pipefail
cd "$(dirname "$0")/.."
MIN_SCORE="${MIN_SCORE:-95}"
TOOL=var/lighthouse
REPORTS="$TOOL/reports"
export CHROME_PATH="${CHROME_PATH:-/usr/bin/chromium}"

if [ ! -x "$TOOL/node_modules/.bin/lighthouse" ] \
  || ! cmp -s scripts/lighthouse/package-lock.json "$TOOL/package-lock.json"; then
  echo "==> Installing Lighthouse into $TOOL"
  mkdir -p "$TOOL"
  cp scripts/lighthouse/package.json scripts/lighthouse/package-lock.json "$TOOL/"
  # `npm install`, not `npm ci`: Lighthouse asks for some dependencies at "latest", which
  # npm ci refuses as out of sync with the lock file.
  npm install --prefix "$TOOL" --no-audit --no-fund --loglevel=error
  cp scripts/lighthouse/package-lock.json "$TOOL/package-lock.json"
fi

base="${1:-}"
server=""
if [ -z "$base" ]; then
  port=8766
  base="http://127.0.0.1:$port"
  run_var=$(mktemp -d)
  echo "==> Starting make run on $base (var: $run_var)"
  env -u DATABASE_URL -u REDIS_URL IDEASTORM_VAR_DIR="$run_var" \
    setsid make run PORT=$port >"$run_var/run.log" 2>&1 &
  server=$!
  trap 'kill -INT -- "-$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true; rm -rf "$run_var"' EXIT
  for _ in $(seq 300); do
    grep -q "IdeaStorm is running" "$run_var/run.log" 2>/dev/null && break
    kill -0 "$server" 2>/dev/null || { cat "$run_var/run.log"; exit 1; }
    sleep 1
  done
fi
base="${base%/}"

# The first idea the home page links to.
idea=$(curl -fsS "$base/" | grep -o 'href="/ideas/[0-9]*/[^"]*/"' | head -1 | cut -d'"' -f2)
[ -n "$idea" ] || { echo "no idea linked from $base/: is the demo loaded?"; exit 1; }

rm -rf "$REPORTS"
mkdir -p "$REPORTS"
pages=("home /" "ideas /ideas/" "idea $idea" "roadmap /roadmap/" "changelog /changelog/")
for entry in "${pages[@]}"; do
  name=${entry%% *}
  path=${entry#* }
  echo "==> Lighthouse: $base$path"
  # shellcheck disable=SC2086
  "$TOOL/node_modules/.bin/lighthouse" "$base$path" --quiet --output=json \
    --output-path="$REPORTS/$name.json" \
    --only-categories=performance,accessibility,best-practices,seo \
    --chrome-flags="--headless --no-sandbox --disable-gpu --disable-background-networking" \
    ${LIGHTHOUSE_ARGS:-}
done

.venv/bin/python - "$REPORTS" "$MIN_SCORE" <<'PY'
import json
import sys
from pathlib import Path

folder, minimum = Path(sys.argv[1]), int(sys.argv[2])
categories = ["performance", "accessibility", "best-practices", "seo"]
print(f"\n{'page':<10} {'perf':>5} {'a11y':>5} {'best':>5} {'seo':>5}  url")
low = []
for report in sorted(folder.glob("*.json"), key=lambda p: p.stat().st_mtime):
    result = json.loads(report.read_text())
    scores = {c: round((result["categories"][c]["score"] or 0) * 100) for c in categories}
    print(f"{report.stem:<10} " + " ".join(f"{scores[c]:>5}" for c in categories)
          + f"  {result['finalDisplayedUrl']}")
    for category in categories:
        if scores[category] >= minimum:
            continue
        low.append(f"{report.stem} {category} {scores[category]}:")
        for ref in result["categories"][category]["auditRefs"]:
            audit = result["audits"][ref["id"]]
            if ref["weight"] and audit["score"] is not None and audit["score"] < 1:
                shown = audit.get("displayValue") or ""
                low.append(f"    {audit['id']} (weight {ref['weight']}): {audit['title']} {shown}")
if low:
    print(f"\nBelow {minimum}, and the audits that cost points:")
    print("\n".join(low))
sys.exit(1 if low else 0)
PY
