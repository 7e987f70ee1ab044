#!/usr/bin/env bash
# Benchmark `oktascope detect` (issue 8): the built-in detections plus the 60
# public rules for Okta (the 23 Sigma rules of SigmaHQ's rules/identity/okta
# and the 37 System Log filters of okta/customer-detections) over a store, in
# one run of the command, with wall time and peak RSS.
#
#   bench/detect.sh [DB]          default: bench/out/events-1000000.db
#
# The filters come as a TSV (testdata/okta-samples/okta-customer-detections/
# queries.tsv); `detect --rules` reads customer-detections YAML, so the
# script writes each line as a file of that shape (detection.okta_systemlog.
# ENGINE) in a temporary rules directory beside the Sigma rules. It prints
# the load average, GNU time's wall clock and peak RSS, and the findings per
# rule. Needs jq and GNU time (apt-get install jq time). bench/run.sh builds
# the 1M-event store.
source "$(dirname "$0")/common.sh"
db=${1:-bench/out/events-1000000.db}
[ -s "$db" ] || { echo "no store at $db (bench/run.sh 1000000 builds it)" >&2; exit 1; }

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

rules="$tmp/rules"
mkdir -p "$rules/sigma" "$rules/okta"
cp testdata/okta-samples/sigma-okta/*.yml "$rules/sigma/"
tail -n +2 testdata/okta-samples/okta-customer-detections/queries.tsv |
  while IFS=$'\t' read -r source engine title filter; do
    [ -n "$filter" ] || continue
    file="$rules/okta/$(basename "$source")"
    {
      printf "title: '%s'\n" "${title//\'/\'\'}"
      printf 'detection:\n  okta_systemlog:\n    %s: |\n      %s\n' "$engine" "$filter"
    } >"$file"
  done
echo "rules: $(ls "$rules/sigma" | wc -l) Sigma, $(ls "$rules/okta" | wc -l) customer-detections"

echo "load before: $(cut -d' ' -f1-3 /proc/loadavg)"
/usr/bin/time -f '%e s wall, %U s user, %S s sys, %M KB peak RSS' -o "$tmp/time" \
  "$bin" --db "$db" detect --rules "$rules" --format json >"$tmp/findings.json" 2>"$tmp/stderr"
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
cat "$tmp/stderr"
cat "$tmp/time"
echo "$(jq length "$tmp/findings.json") findings:"
jq -r '.[].rule' "$tmp/findings.json" | sort | uniq -c | sort -rn
if [ -n "${KEEP:-}" ]; then # KEEP=FILE keeps the findings
  cp "$tmp/findings.json" "$KEEP"
fi
