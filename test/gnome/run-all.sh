#!/bin/bash
# run-all.sh [SUITE ...] — build/restore the roots and run the sample extension
# with sample-automation.js on GNOME Shell 48 (trixie), 50 (forky) and 51 (sid),
# one after the other. Prints one PASS/FAIL line per version; exit 1 on any FAIL.
# Artefacts: ${HEADROOM_E2E_OUT_BASE:-/tmp/headroom-gnome-e2e}/<suite>/
# A loopback HTTP server on the host (127.0.0.1, random port) is passed in as
# HEADROOM_E2E_PROBE_URL to prove that extra env and host loopback reach the shell.
# A run whose shell crashes (signal) or times out is retried once
# (HEADROOM_E2E_RETRIES, default 1 here); the PASS line then says so.
set -uo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
OUT_BASE=${HEADROOM_E2E_OUT_BASE:-/tmp/headroom-gnome-e2e}
SUITES=("$@")
[ ${#SUITES[@]} -gt 0 ] || SUITES=(trixie forky sid)
mkdir -p "$OUT_BASE"

# Loopback probe server (host side).
PORT_FILE=$(mktemp)
python3 - "$PORT_FILE" <<'PY' &
import http.server, json, sys
class H(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        body = json.dumps({"probe": "ok", "path": self.path}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
    def log_message(self, *a):
        pass
srv = http.server.HTTPServer(("127.0.0.1", 0), H)
open(sys.argv[1], "w").write(str(srv.server_address[1]))
srv.serve_forever()
PY
PROBE_PID=$!
trap 'kill "$PROBE_PID" 2>/dev/null; rm -f "$PORT_FILE"' EXIT
for _ in $(seq 50); do [ -s "$PORT_FILE" ] && break; sleep 0.1; done
PROBE_URL="http://127.0.0.1:$(cat "$PORT_FILE")/probe"

declare -A VERSION=([trixie]=48 [forky]=50 [sid]=51)
failed=0
for suite in "${SUITES[@]}"; do
  out=$OUT_BASE/$suite
  t0=$(date +%s)
  if ! "$HERE/build-root.sh" "$suite" >"$OUT_BASE/$suite-build.log" 2>&1; then
    echo "FAIL GNOME Shell ${VERSION[$suite]:-?} ($suite): build-root failed, see $OUT_BASE/$suite-build.log"
    failed=1; continue
  fi
  t1=$(date +%s)
  if HEADROOM_E2E_RETRIES=${HEADROOM_E2E_RETRIES:-1} "$HERE/run-shell.sh" "$suite" "$HERE/sample-extension" "$HERE/sample-home" \
       "$HERE/sample-automation.js" "$out" HEADROOM_E2E_PROBE_URL="$PROBE_URL" \
       >"$OUT_BASE/$suite-run.log" 2>&1; then
    status=PASS
  else
    status=FAIL; failed=1
  fi
  ver=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1])).get("shellVersion","?"))' "$out/result.json" 2>/dev/null || echo "?")
  t2=$(date +%s)
  detail=$(grep -E '^run-shell .*: (PASS|FAIL)' "$OUT_BASE/$suite-run.log" | tail -n1)
  echo "$status GNOME Shell $ver ($suite): root $((t1 - t0))s, run $((t2 - t1))s — ${detail#run-shell "$suite": }"
done
exit $failed
