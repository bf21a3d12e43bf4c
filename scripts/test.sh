#!/usr/bin/env bash
# The one command that runs every test of the Loyalty solution on a fresh Debian 12 machine:
#
#   bash scripts/test.sh [extra dotnet test args, e.g. --filter Category=Smtp]
#
# 1. installs the Debian packages the tests need (only what is missing; apt only when root),
# 2. starts a throwaway PostgreSQL 15 cluster on a free loopback port and exports
#    LOYALTY_TEST_POSTGRES (an Npgsql connection string; tests create their own databases),
# 3. exports LOYALTY_TEST_PYTHON=/usr/bin/python3 (Debian's python, which has aiosmtpd),
# 4. builds Loyalty.sln in Release and runs every test project in it,
# 5. prints as the very last line "N passed, N failed" and exits non-zero on any failure,
#    on a failed build, or when no test ran.
#
# Environment knobs:
#   LOYALTY_TEST_SETUP_ONLY=1   provision and start PostgreSQL, run a smoke query, stop; no build.
#   LOYALTY_TEST_RESULTS=DIR    where the .trx files go (default: TestResults/ in the repo, git-ignored,
#                               emptied at the start of a run; in DIR only old .trx files are deleted).
#   LOYALTY_TEST_HANG_TIMEOUT   per-test-host hang timeout for dotnet test (default 20m).
set -euo pipefail

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$REPO_ROOT"

PG_BIN=/usr/lib/postgresql/15/bin
SYS_PYTHON=/usr/bin/python3
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

log() { printf '[test.sh] %s\n' "$*" >&2; }

is_root() { [ "$(id -u)" = 0 ]; }

# ---------------------------------------------------------------------------------------------
# 1. Debian packages
# ---------------------------------------------------------------------------------------------
REQUIRED_PACKAGES=(python3-aiosmtpd python3-dkim postgresql postfix chromium chromium-driver zbar-tools fonts-noto-cjk)

pkg_installed() {
    dpkg -s "$1" 2>/dev/null | grep -q '^Status: install ok installed$'
}

install_packages() {
    local missing=() p
    for p in "${REQUIRED_PACKAGES[@]}"; do
        pkg_installed "$p" || missing+=("$p")
    done
    if [ ${#missing[@]} -eq 0 ]; then
        return 0
    fi
    if ! is_root; then
        log "WARNING: missing Debian packages (${missing[*]}) and not root: cannot install them; tests that need them will fail"
        return 0
    fi
    log "installing missing Debian packages: ${missing[*]} (takes a minute or so)"
    export DEBIAN_FRONTEND=noninteractive
    # postfix is only wanted for smtp-sink/smtp-source: no mail system configured, nothing started.
    echo "postfix postfix/main_mailer_type select No configuration" | debconf-set-selections
    echo "postfix postfix/mailname string localhost" | debconf-set-selections
    # Keep package scripts from starting services (the system PostgreSQL cluster, postfix).
    local made_policy=0
    if [ ! -e /usr/sbin/policy-rc.d ]; then
        printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d
        chmod +x /usr/sbin/policy-rc.d
        made_policy=1
    fi
    local rc=0
    apt-get -o DPkg::Lock::Timeout=300 update -q >&2 || rc=$?
    if [ $rc -eq 0 ]; then
        apt-get -o DPkg::Lock::Timeout=300 install -y -q --no-install-recommends \
            -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold \
            "${missing[@]}" >&2 || rc=$?
    fi
    if [ $made_policy -eq 1 ]; then rm -f /usr/sbin/policy-rc.d; fi
    if [ $rc -ne 0 ]; then
        log "ERROR: apt-get failed (exit $rc)"
        echo "0 passed, 1 failed"
        exit 1
    fi
}

install_packages

if ! "$SYS_PYTHON" -c 'import aiosmtpd' 2>/dev/null; then
    log "WARNING: $SYS_PYTHON cannot import aiosmtpd (python3-aiosmtpd); SMTP tests will fail"
fi

# ---------------------------------------------------------------------------------------------
# 2. Throwaway PostgreSQL 15
# ---------------------------------------------------------------------------------------------
if [ ! -x "$PG_BIN/initdb" ]; then
    log "ERROR: $PG_BIN/initdb not found (package postgresql-15)"
    echo "0 passed, 1 failed"
    exit 1
fi

PG_TMP="$(mktemp -d "${TMPDIR:-/tmp}/loyalty-pg.XXXXXX")"
PG_DATA="$PG_TMP/data"
PG_PID=""

# Runs a command as the postgres user when we are root (PostgreSQL refuses to run as root).
as_pg() {
    if is_root; then runuser -u postgres -- "$@"; else "$@"; fi
}

cleanup() {
    local rc=$?
    trap - EXIT INT TERM
    if [ -n "$PG_PID" ] && kill -0 "$PG_PID" 2>/dev/null; then
        as_pg "$PG_BIN/pg_ctl" stop -D "$PG_DATA" -m immediate -s >/dev/null 2>&1 || kill -9 "$PG_PID" 2>/dev/null || true
        wait "$PG_PID" 2>/dev/null || true
    fi
    rm -rf "$PG_TMP"
    exit $rc
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

if is_root; then
    chown postgres:postgres "$PG_TMP"
fi
chmod 700 "$PG_TMP"

PG_PORT="$("$SYS_PYTHON" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')"
PG_PASSWORD="$("$SYS_PYTHON" -c 'import secrets; print(secrets.token_hex(16))')"

log "initdb into $PG_DATA"
if ! as_pg "$PG_BIN/initdb" -D "$PG_DATA" -U postgres -E UTF8 --locale=C \
        --auth-local=trust --auth-host=scram-sha-256 >"$PG_TMP/initdb.log" 2>&1; then
    cat "$PG_TMP/initdb.log" >&2
    log "ERROR: initdb failed"
    echo "0 passed, 1 failed"
    exit 1
fi

# Start the server as a plain command so $! is its own pid (setpriv execs, it does not fork).
PG_ARGS=(-D "$PG_DATA" -p "$PG_PORT" -k "$PG_TMP"
    -c listen_addresses=127.0.0.1 -c max_connections=300
    -c fsync=off -c synchronous_commit=off -c full_page_writes=off
    -c logging_collector=off)
if is_root; then
    setpriv --reuid=postgres --regid=postgres --init-groups -- \
        "$PG_BIN/postgres" "${PG_ARGS[@]}" >"$PG_TMP/postgres.log" 2>&1 &
else
    "$PG_BIN/postgres" "${PG_ARGS[@]}" >"$PG_TMP/postgres.log" 2>&1 &
fi
PG_PID=$!

ready=0
for _ in $(seq 1 300); do
    if ! kill -0 "$PG_PID" 2>/dev/null; then break; fi
    if "$PG_BIN/pg_isready" -q -h "$PG_TMP" -p "$PG_PORT" -U postgres; then ready=1; break; fi
    sleep 0.1
done
if [ $ready -ne 1 ]; then
    cat "$PG_TMP/postgres.log" >&2 || true
    log "ERROR: PostgreSQL did not become ready on port $PG_PORT"
    echo "0 passed, 1 failed"
    exit 1
fi

# pg_signal_backend: the fixtures drop their databases WITH (FORCE), which must also end an autovacuum worker that
# is analysing freshly seeded tables; PostgreSQL 15 refuses that to a role without it ("must be a member of the
# role whose process is being terminated or member of pg_signal_backend", seen once in a clean-clone run).
as_pg "$PG_BIN/psql" -X -q -h "$PG_TMP" -p "$PG_PORT" -U postgres -d postgres -v ON_ERROR_STOP=1 \
    -c "CREATE ROLE loyalty LOGIN CREATEDB PASSWORD '$PG_PASSWORD'" -c "GRANT pg_signal_backend TO loyalty" >&2

export LOYALTY_TEST_POSTGRES="Host=127.0.0.1;Port=$PG_PORT;Username=loyalty;Password=$PG_PASSWORD;Database=postgres"
export LOYALTY_TEST_PYTHON="$SYS_PYTHON"
log "PostgreSQL 15 ready (pid $PG_PID, port $PG_PORT)"

if [ "${LOYALTY_TEST_SETUP_ONLY:-0}" = 1 ]; then
    echo "LOYALTY_TEST_POSTGRES=$LOYALTY_TEST_POSTGRES"
    echo "LOYALTY_TEST_PYTHON=$LOYALTY_TEST_PYTHON"
    PGPASSWORD="$PG_PASSWORD" "$PG_BIN/psql" -X -h 127.0.0.1 -p "$PG_PORT" -U loyalty -d postgres \
        -v ON_ERROR_STOP=1 -At \
        -c "CREATE DATABASE smoke_check" \
        -c "SELECT current_user || ' on ' || split_part(version(), ' ', 2) || ', max_connections=' || current_setting('max_connections') || ', fsync=' || current_setting('fsync')" \
        -c "DROP DATABASE smoke_check WITH (FORCE)"
    "$SYS_PYTHON" -c 'import aiosmtpd, dkim; print("aiosmtpd", aiosmtpd.__version__, "and dkim importable")'
    exit 0
fi

# ---------------------------------------------------------------------------------------------
# 3. Build and test
# ---------------------------------------------------------------------------------------------
if [ ! -f Loyalty.sln ]; then
    log "ERROR: Loyalty.sln not found in $REPO_ROOT"
    echo "0 passed, 1 failed"
    exit 1
fi

if [ -n "${LOYALTY_TEST_RESULTS:-}" ]; then
    RESULTS_DIR="$LOYALTY_TEST_RESULTS"
    mkdir -p "$RESULTS_DIR"
    find "$RESULTS_DIR" -name '*.trx' -type f -delete
else
    RESULTS_DIR="$REPO_ROOT/TestResults"   # git-ignored, ours: start it afresh
    rm -rf "$RESULTS_DIR"
    mkdir -p "$RESULTS_DIR"
fi

log "dotnet build Loyalty.sln -c Release"
if ! dotnet build Loyalty.sln -c Release; then
    log "ERROR: build failed"
    echo "0 passed, 1 failed"
    exit 1
fi

log "dotnet test (results in $RESULTS_DIR)"
test_rc=0
dotnet test Loyalty.sln -c Release --no-build \
    --logger "trx;LogFilePrefix=loyalty" --results-directory "$RESULTS_DIR" \
    --blame-hang-timeout "${LOYALTY_TEST_HANG_TIMEOUT:-20m}" --blame-hang-dump-type none \
    "$@" || test_rc=$?

# Sum the <Counters> of every .trx file (one per test project).
read -r passed failed trx_count < <("$SYS_PYTHON" - "$RESULTS_DIR" <<'PY'
import glob, os, sys
import xml.etree.ElementTree as ET
passed = failed = files = 0
for path in sorted(glob.glob(os.path.join(sys.argv[1], "**", "*.trx"), recursive=True)):
    files += 1
    try:
        root = ET.parse(path).getroot()
    except ET.ParseError:
        failed += 1
        continue
    for counters in root.iter():
        if counters.tag.endswith("Counters"):
            a = counters.attrib
            passed += int(a.get("passed", 0))
            failed += sum(int(a.get(k, 0)) for k in ("failed", "error", "timeout", "aborted"))
print(passed, failed, files)
PY
) || { passed=0; failed=1; trx_count=0; }

log "dotnet test exit code $test_rc, $trx_count result file(s) in $RESULTS_DIR"
if [ "$test_rc" -ne 0 ] && [ "$failed" -eq 0 ]; then
    # A test host crashed or dotnet test failed outside any test: count it as a failure.
    failed=1
fi

echo "$passed passed, $failed failed"
if [ "$failed" -ne 0 ] || [ "$passed" -eq 0 ]; then
    exit 1
fi
exit 0
