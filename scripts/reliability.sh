#!/usr/bin/env bash
# The full-count reliability runs (issues 3 and 7), the figures of docs/reliability.md:
#
#   bash scripts/reliability.sh            # ScaleOut and Faults at full counts
#   bash scripts/reliability.sh ScaleOut   # only the scale-out tests (or: Faults)
#
# CI (scripts/test.sh) runs the same tests at small counts. This script sets the full counts, then runs
# scripts/test.sh (which provisions PostgreSQL and the SMTP server, builds Loyalty.sln in Release and runs the
# tests) with a filter. Every test appends its figures as a Markdown table row to the results file, printed at
# the end with the date and machine.
#
# Counts (override through the environment):
#   LOYALTY_SCALEOUT_SENDS   (10000)   three workers, exactly once; and again with one SIGKILL
#   LOYALTY_FAULTS_SENDS     (100000)  duplicate events, 3 SIGKILLs, SMTP outage, 5% 451
#   LOYALTY_DB_OUTAGE_SENDS  (10000)   pg_terminate_backend of the workers' sessions, 3 times
# LOYALTY_RELIABILITY_RESULTS (default: TestResults/reliability-<time>.md) collects the rows.
set -euo pipefail

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$REPO_ROOT"

case "${1:-all}" in
    all) FILTER="FullyQualifiedName~ScaleOut|FullyQualifiedName~Faults" ;;
    ScaleOut|Faults) FILTER="FullyQualifiedName~$1" ;;
    *) echo "usage: bash scripts/reliability.sh [ScaleOut|Faults]" >&2; exit 2 ;;
esac

export LOYALTY_SCALEOUT_SENDS="${LOYALTY_SCALEOUT_SENDS:-10000}"
export LOYALTY_FAULTS_SENDS="${LOYALTY_FAULTS_SENDS:-100000}"
export LOYALTY_DB_OUTAGE_SENDS="${LOYALTY_DB_OUTAGE_SENDS:-10000}"
# A full run takes long on a small machine; scripts/test.sh's default hang timeout is 20 minutes per test host.
export LOYALTY_TEST_HANG_TIMEOUT="${LOYALTY_TEST_HANG_TIMEOUT:-300m}"
mkdir -p "$REPO_ROOT/TestResults"
RESULTS="${LOYALTY_RELIABILITY_RESULTS:-$REPO_ROOT/TestResults/reliability-$(date -u +%Y%m%dT%H%M%SZ).md}"
export LOYALTY_RELIABILITY_RESULTS="$RESULTS"
: > "$RESULTS"
rm -f "$RESULTS.details"
# scripts/test.sh empties TestResults/ unless told otherwise: keep its .trx files next to ours.
export LOYALTY_TEST_RESULTS="${LOYALTY_TEST_RESULTS:-$REPO_ROOT/TestResults/reliability-trx}"

started=$(date -u +%s)
rc=0
bash "$REPO_ROOT/scripts/test.sh" --filter "$FILTER" || rc=$?

{
    echo
    echo "Reliability run of $(date -u +%Y-%m-%d) (UTC), $(( $(date -u +%s) - started )) s including build;" \
        "machine: nproc=$(nproc), memory=$(free -g | awk '/^Mem:/ {print $2}') GiB, load average $(cut -d' ' -f1-3 /proc/loadavg)"
    echo "counts: LOYALTY_SCALEOUT_SENDS=$LOYALTY_SCALEOUT_SENDS LOYALTY_FAULTS_SENDS=$LOYALTY_FAULTS_SENDS LOYALTY_DB_OUTAGE_SENDS=$LOYALTY_DB_OUTAGE_SENDS; filter: $FILTER; exit $rc"
    echo
    echo "| test | injected | scheduled | sent (rows) | delivered at server | distinct Message-IDs | duplicates | lost | refused | dispatch time |"
    echo "|---|---|---|---|---|---|---|---|---|---|"
    cat "$RESULTS"
    if [ -f "$RESULTS.details" ]; then echo; cat "$RESULTS.details"; rm -f "$RESULTS.details"; fi
} | tee "$RESULTS.tmp"
mv "$RESULTS.tmp" "$RESULTS"
echo "figures in $RESULTS" >&2
exit $rc
