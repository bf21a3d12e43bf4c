#!/usr/bin/env bash
# Runs the performance harnesses of issue 9 side by side on this machine:
#
#   bash scripts/bench.sh [--smoke] [--out DIR] [--no-build] [-- extra Loyalty.Throughput args]
#
# 1. installs postfix (for smtp-sink/smtp-source) and PostgreSQL when missing (apt, as root),
# 2. starts a throwaway PostgreSQL 15 cluster and smtp-sink on free loopback ports (stopped on exit, by pid),
# 3. runs benchmarks/Loyalty.Benchmarks (BenchmarkDotNet, stage 1 Compose) and benchmarks/Loyalty.Throughput
#    (stages 2-5: Deliver, Intake, Dispatch + memory, Latency),
# 4. writes Markdown and JSON into docs/performance/ (with --smoke: into a temp dir unless --out is given),
#    including summary.json, the flat object of issue 9.
#
# Sizes: the Throughput defaults are the issue's (100k dispatch, 1M customers...); pass smaller ones after `--`,
# e.g. `bash scripts/bench.sh -- --dispatch 20000 --baseline-dispatch 5000`. --smoke runs every stage with tiny counts.
# LOYALTY_BENCH_POSTGRES=<Npgsql connection string> reuses a running server instead of starting a cluster.
set -euo pipefail

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$REPO_ROOT"
PG_BIN=/usr/lib/postgresql/15/bin
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1
log() { printf '[bench.sh] %s\n' "$*" >&2; }
is_root() { [ "$(id -u)" = 0 ]; }

SMOKE=0; OUT=""; BUILD=1; EXTRA=()
while [ $# -gt 0 ]; do
    case "$1" in
        --smoke) SMOKE=1 ;;
        --out) OUT="$2"; shift ;;
        --no-build) BUILD=0 ;;
        --) shift; EXTRA=("$@"); break ;;
        *) log "unknown argument $1"; exit 64 ;;
    esac
    shift
done
if [ -z "$OUT" ]; then
    if [ $SMOKE = 1 ]; then OUT="$(mktemp -d "${TMPDIR:-/tmp}/loyalty-bench-smoke.XXXXXX")"; else OUT="$REPO_ROOT/docs/performance"; fi
fi
mkdir -p "$OUT"
OUT="$(cd "$OUT" && pwd)"

# 1. Debian packages ---------------------------------------------------------------------------
pkg_installed() { dpkg -s "$1" 2>/dev/null | grep -q '^Status: install ok installed$'; }
missing=()
for p in postfix postgresql; do pkg_installed "$p" || missing+=("$p"); done
if [ ${#missing[@]} -gt 0 ]; then
    if ! is_root; then log "ERROR: missing ${missing[*]} and not root"; exit 1; fi
    log "installing ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    echo "postfix postfix/main_mailer_type select No configuration" | debconf-set-selections
    echo "postfix postfix/mailname string localhost" | debconf-set-selections
    made_policy=0
    if [ ! -e /usr/sbin/policy-rc.d ]; then printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d; chmod +x /usr/sbin/policy-rc.d; made_policy=1; fi
    apt-get update -q >&2 && apt-get install -y -q --no-install-recommends "${missing[@]}" >&2
    if [ $made_policy = 1 ]; then rm -f /usr/sbin/policy-rc.d; fi
fi

free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'; }
as_pg() { if is_root; then runuser -u postgres -- "$@"; else "$@"; fi; }

WORK="$(mktemp -d "${TMPDIR:-/tmp}/loyalty-bench-work.XXXXXX")"
PG_TMP="$(mktemp -d "${TMPDIR:-/tmp}/loyalty-bench-pg.XXXXXX")"
PG_PID=""; SINK_PID=""; PG_DATA="$PG_TMP/data"
cleanup() {
    local rc=$?
    trap - EXIT INT TERM
    if [ -n "$SINK_PID" ]; then kill "$SINK_PID" 2>/dev/null || true; wait "$SINK_PID" 2>/dev/null || true; fi
    if [ -n "$PG_PID" ] && kill -0 "$PG_PID" 2>/dev/null; then
        as_pg "$PG_BIN/pg_ctl" stop -D "$PG_DATA" -m immediate -s >/dev/null 2>&1 || kill -9 "$PG_PID" 2>/dev/null || true
        wait "$PG_PID" 2>/dev/null || true
    fi
    rm -rf "$WORK" "$PG_TMP"
    exit $rc
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# 2a. Throwaway PostgreSQL ------------------------------------------------------------------------
if [ -n "${LOYALTY_BENCH_POSTGRES:-}" ]; then
    PG_CONN="$LOYALTY_BENCH_POSTGRES"
else
    if is_root; then chown postgres:postgres "$PG_TMP"; fi
    chmod 700 "$PG_TMP"
    PG_PORT="$(free_port)"
    PG_PASSWORD="$(python3 -c 'import secrets; print(secrets.token_hex(16))')"
    as_pg "$PG_BIN/initdb" -D "$PG_DATA" -U postgres -E UTF8 --locale=C --auth-local=trust --auth-host=scram-sha-256 >"$WORK/initdb.log" 2>&1 \
        || { cat "$WORK/initdb.log" >&2; log "ERROR: initdb failed"; exit 1; }
    PG_ARGS=(-D "$PG_DATA" -p "$PG_PORT" -k "$PG_TMP" -c listen_addresses=127.0.0.1 -c max_connections=300
        -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c logging_collector=off -c shared_buffers=256MB)
    if is_root; then
        setpriv --reuid=postgres --regid=postgres --init-groups -- "$PG_BIN/postgres" "${PG_ARGS[@]}" >"$WORK/postgres.log" 2>&1 &
    else
        "$PG_BIN/postgres" "${PG_ARGS[@]}" >"$WORK/postgres.log" 2>&1 &
    fi
    PG_PID=$!
    for _ in $(seq 1 300); do
        kill -0 "$PG_PID" 2>/dev/null || break
        "$PG_BIN/pg_isready" -q -h "$PG_TMP" -p "$PG_PORT" -U postgres && break
        sleep 0.1
    done
    as_pg "$PG_BIN/psql" -X -q -h "$PG_TMP" -p "$PG_PORT" -U postgres -d postgres -v ON_ERROR_STOP=1 \
        -c "CREATE ROLE loyalty LOGIN CREATEDB PASSWORD '$PG_PASSWORD'" -c "GRANT pg_signal_backend TO loyalty" >&2
    PG_CONN="Host=127.0.0.1;Port=$PG_PORT;Username=loyalty;Password=$PG_PASSWORD;Database=postgres"
    log "PostgreSQL 15 ready (pid $PG_PID, port $PG_PORT; fsync=off, as in scripts/test.sh)"
fi

# 2b. smtp-sink -------------------------------------------------------------------------------------
SMTP_PORT="$(free_port)"
SINK_USER=(); if is_root; then SINK_USER=(-u nobody); fi
/usr/sbin/smtp-sink "${SINK_USER[@]}" 127.0.0.1:"$SMTP_PORT" 1024 >"$WORK/smtp-sink.log" 2>&1 &
SINK_PID=$!
sleep 0.3
kill -0 "$SINK_PID" 2>/dev/null || { cat "$WORK/smtp-sink.log" >&2; log "ERROR: smtp-sink did not start"; exit 1; }
log "smtp-sink on 127.0.0.1:$SMTP_PORT (pid $SINK_PID)"

# 3. Build and run ---------------------------------------------------------------------------------
if [ $BUILD = 1 ]; then
    dotnet build benchmarks/Loyalty.Benchmarks/Loyalty.Benchmarks.csproj -c Release -v q -nologo >&2
    dotnet build benchmarks/Loyalty.Throughput/Loyalty.Throughput.csproj -c Release -v q -nologo >&2
fi

BDN_DIR="$WORK/bdn"
if [ $SMOKE = 1 ]; then
    BDN_ARGS=(--job Dry --inProcess)
else
    BDN_ARGS=(--job Medium)
fi
# `-- --stages a,b` without "compose" skips stage 1 (BenchmarkDotNet); the summary then has null compose figures.
RUN_COMPOSE=1
for ((k = 0; k < ${#EXTRA[@]}; k++)); do
    if [ "${EXTRA[$k]}" = "--stages" ] && [[ ",${EXTRA[$((k + 1))]:-}," != *",compose,"* ]]; then RUN_COMPOSE=0; fi
done
if [ $RUN_COMPOSE = 1 ]; then
    log "stage 1 Compose (BenchmarkDotNet ${BDN_ARGS[*]})"
    dotnet benchmarks/Loyalty.Benchmarks/bin/Release/net10.0/Loyalty.Benchmarks.dll --filter '*' "${BDN_ARGS[@]}" \
        --artifacts "$BDN_DIR" --exporters json markdown >"$OUT/compose.log" 2>&1 || { tail -50 "$OUT/compose.log" >&2; exit 1; }
    COMPOSE_JSON="$(ls "$BDN_DIR"/results/*-report-full-compressed.json | head -1)"
    cp "$COMPOSE_JSON" "$OUT/compose.json"
    cp "$(ls "$BDN_DIR"/results/*-report-github.md | head -1)" "$OUT/compose.md"

else
    log "stage 1 Compose skipped (--stages without compose)"
fi

THROUGHPUT_ARGS=(--out "$OUT" --work "$WORK/throughput" --pg "$PG_CONN" --smtp-port "$SMTP_PORT" --compose-report "$OUT/compose.json")
if [ $SMOKE = 1 ]; then THROUGHPUT_ARGS+=(--smoke); fi
log "stages 2-5 (Loyalty.Throughput ${THROUGHPUT_ARGS[*]//Password=*/Password=...} ${EXTRA[*]:-})"
rc=0
# `|| rc=$?`: with pipefail a failed run would otherwise end the script before the password is scrubbed below.
dotnet benchmarks/Loyalty.Throughput/bin/Release/net10.0/Loyalty.Throughput.dll "${THROUGHPUT_ARGS[@]}" "${EXTRA[@]}" 2>&1 | tee "$OUT/throughput.log" >&2 || rc=$?
sed -i "s/Password=[^;]*/Password=.../g" "$OUT/throughput.log" "$OUT/throughput.json" "$OUT/throughput.md" 2>/dev/null || true
log "results in $OUT"
if [ -f "$OUT/summary.json" ]; then cat "$OUT/summary.json"; fi
exit "$rc"
