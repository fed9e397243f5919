#!/usr/bin/env bash
# The test command: starts a throw-away PostgreSQL (installing it with apt-get when missing), runs every
# test project against it, and ends with one line "N passed, N failed[, N skipped]" summed over projects.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)

as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }

pg_bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
if [ -z "$pg_bin" ] || [ ! -x "$pg_bin/initdb" ]; then
  echo "PostgreSQL not found: installing it with apt-get" >&2
  as_root apt-get update -qq
  DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq postgresql >/dev/null
  pg_bin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
fi

# The browser tests (tests/BroadcastGrains.BrowserTests) drive Debian's chromium through Playwright, whose own
# browser download cannot work here; BROADCAST_TEST_CHROMIUM names another build.
chromium="${BROADCAST_TEST_CHROMIUM:-/usr/bin/chromium}"
if [ ! -x "$chromium" ]; then
  echo "Chromium not found: installing it with apt-get" >&2
  as_root apt-get update -qq
  DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq chromium >/dev/null
  chromium=/usr/bin/chromium
fi
export BROADCAST_TEST_CHROMIUM="$chromium"

# A private server in a temp dir on a free port: no dependence on (or damage to) a system cluster.
work=$(mktemp -d /tmp/broadcastgrains-test.XXXXXX)
chmod 755 "$work"
pg_user=$(id -un)
run_pg() { "$@"; }
if [ "$(id -u)" -eq 0 ]; then
  # PostgreSQL refuses to run as root.
  pg_user=postgres
  chown postgres "$work"
  run_pg() { su postgres -s /bin/bash -c "$(printf '%q ' "$@")"; }
fi
port=$(( 20000 + RANDOM % 20000 ))
while (echo > /dev/tcp/127.0.0.1/$port) 2>/dev/null; do port=$(( port + 1 )); done

cleanup() {
  run_pg "$pg_bin/pg_ctl" -D "$work/data" -m immediate stop >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT

run_pg "$pg_bin/initdb" -D "$work/data" -U "$pg_user" --auth=trust -E UTF8 --locale=C.UTF-8 >/dev/null
run_pg "$pg_bin/pg_ctl" -D "$work/data" -l "$work/postgres.log" -w -t 60 start \
  -o "-p $port -k $work -c listen_addresses=127.0.0.1 -c max_connections=300 -c fsync=off -c synchronous_commit=off" >/dev/null
export BROADCAST_TEST_POSTGRES="Host=127.0.0.1;Port=$port;Username=$pg_user;Database=postgres;Pooling=true;Maximum Pool Size=50"
# For tests that need a server of their own to stop and start (the one above is shared and must stay up).
export BROADCAST_TEST_PG_BIN="$pg_bin"
echo "PostgreSQL $("$pg_bin/postgres" --version | awk '{print $3}') on 127.0.0.1:$port" >&2

# The Kiota client generator (GeneratedClientTests) is a local tool: .config/dotnet-tools.json.
dotnet tool restore >/dev/null

results="$work/results"
status=0
dotnet test "$root/BroadcastGrains.sln" --nologo -v q --logger "trx" --results-directory "$results" "$@" || status=$?

passed=0; failed=0; skipped=0; files=0
for trx in "$results"/*.trx; do
  [ -e "$trx" ] || continue
  files=$((files + 1))
  counters=$(grep -o '<Counters [^>]*' "$trx")
  get() { local v; v=$(echo "$counters" | sed -n "s/.* $1=\"\([0-9]*\)\".*/\1/p"); echo "${v:-0}"; }
  passed=$((passed + $(get passed)))
  failed=$((failed + $(get failed) + $(get error) + $(get timeout) + $(get aborted)))
  skipped=$((skipped + $(get notExecuted)))
done
if [ "$files" -eq 0 ] && [ "$status" -ne 0 ]; then failed=1; fi
if [ "$failed" -gt 0 ]; then
  # The work directory goes with the exit trap: keep what explains a failure (CI runs on a clean clone, and a flaky
  # test is read afterwards or never), and name the failed tests with the first lines of their messages.
  kept="$root/tests/results/$(date -u +%Y%m%d-%H%M%S)"
  mkdir -p "$kept"
  cp "$results"/*.trx "$work/postgres.log" "$kept/" 2>/dev/null || true
  echo "Failed tests (result files and the PostgreSQL log kept in $kept):" >&2
  for trx in "$kept"/*.trx; do
    [ -e "$trx" ] || continue
    if command -v python3 >/dev/null; then
      python3 - "$trx" >&2 <<'PY'
import sys, xml.etree.ElementTree as ET
ns = {"t": "http://microsoft.com/schemas/VisualStudio/TeamTest/2010"}
for r in ET.parse(sys.argv[1]).getroot().iterfind(".//t:UnitTestResult", ns):
    if r.get("outcome") not in ("Failed", "Error", "Timeout", "Aborted"): continue
    message = r.findtext(".//t:Message", default="", namespaces=ns).strip().splitlines()
    print(f"  {r.get('testName')}: {' | '.join(message[:3])[:600]}")
PY
    else
      grep -o '<UnitTestResult [^>]*outcome="Failed"[^>]*' "$trx" | sed 's/.*testName="\([^"]*\)".*/  \1/' >&2
    fi
  done
fi
line="$passed passed, $failed failed"
[ "$skipped" -gt 0 ] && line="$line, $skipped skipped"
echo "$line"
exit $status
