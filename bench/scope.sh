#!/usr/bin/env bash
# Benchmark scope (issue 6: a depth-2 scope of a busy user on 10M events in
# under 1 s).
#
#   bench/scope.sh [EVENTS]      default: 10000000
#
# Builds the store of a generated org log once (oktascope generate piped
# into import), picks
# the user with the most sign-ins, and times `scope --depth 2 --format json`
# as whole commands (process start, store open, the report's graph and the
# JSON included): best and median
# of $RUNS (default 5) runs, with the peak RSS of the last. Needs sqlite3 and
# GNU time (apt-get install sqlite3 time). Writes to bench/out/.
source "$(dirname "$0")/common.sh"
n=${1:-10000000}
db="$out/events-$n.db"
if [ ! -s "$db" ]; then # generated straight into the store: no NDJSON file
  "$bin" generate --events "$n" --users $(( n / 500 + 50 )) --duration $(( n / 100000 + 24 ))h --incidents |
    /usr/bin/time -f '%e s, peak RSS %M KB' -o "$out/import-$n.time" "$bin" --db "$db" import --rejects "$out/rejects.ndjson" - >/dev/null 2>"$out/import-$n.log"
  echo "generate | import: $(cat "$out/import-$n.time")"
fi
"$bin" --db "$db" search 'eventType eq "x"' >/dev/null # opens (and migrates) the store
user=$(sqlite3 -readonly "$db" "SELECT actor_id FROM events WHERE event_type = 'user.session.start' GROUP BY actor_id ORDER BY count(*) DESC LIMIT 1")
times=()
for _ in $(seq "${RUNS:-5}"); do
  t0=$(date +%s%N)
  /usr/bin/time -f '%M' -o "$out/scope.rss" "$bin" --db "$db" scope --user "$user" --depth 2 --format json >"$out/scope.json"
  t1=$(date +%s%N)
  times+=($(( (t1 - t0) / 1000000 )))
done
sorted=($(printf '%s\n' "${times[@]}" | sort -n))
read -r events sessions ips related nodes more < <(jq -r '[.events, (.sessions|length), (.ips|length), (.relatedUsers|length), ([.graph.nodes[] | select(.more == 0)] | length), ([.graph.nodes[].more] | add)] | @tsv' "$out/scope.json")
echo "scope --user $user --depth 2 on $n events: best ${sorted[0]} ms, median ${sorted[$(( ${#sorted[@]} / 2 ))]} ms (runs: ${times[*]}), peak RSS $(( $(cat "$out/scope.rss") / 1024 )) MB"
echo "report: $events events, $sessions sessions, $ips IP addresses, $related related users; graph: $nodes nodes, $more left out; load average: $(cut -d' ' -f1-3 /proc/loadavg)"
