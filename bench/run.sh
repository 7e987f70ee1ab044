#!/usr/bin/env bash
# Benchmark oktascope against jq on the same NDJSON (docs/performance.md).
#
#   bench/run.sh [EVENTS...]      default: 1000000 10000000
#
# For each size it generates a synthetic org log (oktascope generate), then
# measures in one run: the import (events/s, CPU seconds, peak RSS, the
# store's size against the NDJSON's); the article's user, IP and session
# hunts, a filter the indexes answer, a filter on fields outside the
# columns and one the columns cannot answer at all, each next to jq computing
# the same answer over the NDJSON (the ratio is oktascope's time over jq's,
# and the answers must agree); and the scope of the busiest (office) IP
# address, and the unfiltered histogram (stats). oktascope's queries are timed as the best of $RUNS (default 3)
# runs of the whole command (process start included), jq's once. It ends
# with a summary table of every size. Runs unattended; the machine's load
# average is printed with each size, as timings on a shared machine vary.
#
# JQ=0 skips jq (at 10M events each jq pass takes 10 minutes or more): the
# jq columns then read "-" and the answers are not cross-checked.
# REUSE_DB=1 keeps a store already built; CLEAN=1 deletes each size's NDJSON
# and store when done (10M events: about 20 GB and 10 GB). Needs jq, sqlite3
# and GNU time (apt-get install jq sqlite3 time). Writes to bench/out/.
source "$(dirname "$0")/common.sh"

best_ms() { # best of $RUNS (default 3) wall-clock runs of "$@", in milliseconds
  local best=999999999
  for _ in $(seq "${RUNS:-3}"); do
    local t0 t1
    t0=$(date +%s%N); "$@" >/dev/null; t1=$(date +%s%N)
    local ms=$(( (t1 - t0) / 1000000 ))
    (( ms < best )) && best=$ms
  done
  echo "$best"
}

row() { printf '| %s | %s | %s | %s | %s |\n' "$@"; }
summary=()

for n in "${@:-1000000 10000000}"; do
  file="$out/events-$n.ndjson"
  db="$out/events-$n.db"
  [ -s "$file" ] || "$bin" generate --events "$n" --users $(( n / 500 + 50 )) --duration $(( n / 100000 + 24 ))h --incidents >"$file"
  size=$(stat -c %s "$file")
  if [ -z "${REUSE_DB:-}" ] || [ ! -s "$db" ]; then # REUSE_DB=1 skips the import when the store exists
    rm -f "$db" "$db-wal" "$db-shm"
    echo "load before the import of $n: $(cut -d' ' -f1-3 /proc/loadavg)" >&2
    /usr/bin/time -f '%e %M %U %S' -o "$out/import-$n.time" "$bin" --db "$db" import --rejects "$out/rejects.ndjson" "$file" 2>"$out/import-$n.log" >/dev/null
  fi
  read -r secs rss_kb usr sys <"$out/import-$n.time"
  cpu=$(awk -v u="$usr" -v s="$sys" 'BEGIN{printf "%.1f", u+s}')
  events=$(wc -l <"$file")
  dbsize=$(stat -c %s "$db")
  ratio=$(awk -v d="$dbsize" -v s="$size" 'BEGIN{printf "%.3f", d/s}')

  # Indicators: the busiest user, one of its IPs and sessions; the address
  # with the most events (an office NAT). (head closes the pipe early: no
  # pipefail here.)
  set +o pipefail
  user=$(jq -r 'select(.eventType=="user.session.start") | .actor.id' "$file" | head -200000 | sort | uniq -c | sort -rn | head -1 | awk '{print $2}')
  ip=$(jq -r --arg u "$user" 'select(.actor.id==$u) | .client.ipAddress' "$file" | head -1)
  session=$(jq -r --arg u "$user" 'select(.actor.id==$u and .authenticationContext.externalSessionId != "unknown") | .authenticationContext.externalSessionId' "$file" | head -1)
  set -o pipefail
  office=$(sqlite3 -readonly "$db" "SELECT client_ip FROM ip_users GROUP BY client_ip ORDER BY sum(events) DESC LIMIT 1")

  signin='["user.session.start","policy.evaluate_sign_on","user.authentication.verify","application.policy.sign_on.deny_access","user.authentication.sso","user.authentication.auth_via_mfa","user.mfa.factor.activate","system.push.send_factor_verify_push","system.email.send_factor_verify_message","system.sms.send_factor_verify_message","system.sms.send_phone_verification_message","system.voice.send_mfa_challenge_call","system.voice.send_phone_verification_call","system.email.password_reset.sent_message","system.sms.send_password_reset_message","system.voice.send_password_reset_call","user.account.reset_password","user.account.update_password","system.email.account_unlock.sent_message","system.sms.send_account_unlock_message","system.voice.send_account_unlock_call","user.account.unlock_token","user.account.unlock"]'

  echo
  echo "## $n events ($(( size / 1048576 )) MiB of NDJSON; load average $(cut -d' ' -f1-3 /proc/loadavg))"
  echo
  row "measure" "oktascope" "jq" "oktascope/jq" "answer (events)"
  row "---" "---" "---" "---" "---"
  jq_import=-
  [ "${JQ:-1}" = 0 ] || jq_import=$(RUNS=1 best_ms jq -c . "$file")
  rate=$(awk -v s="$secs" -v e="$events" 'BEGIN{printf "%d", e/s}')
  row "import" "${secs} s: ${rate} events/s, ${cpu} CPU-s, peak RSS $(( rss_kb / 1024 )) MB; store $(( dbsize / 1048576 )) MiB = ${ratio} × the NDJSON" "${jq_import} ms (jq -c . reads it once)" "-" "$events"

  ratios=()
  bench_query() { # name, oktascope args..., then -- jq program
    local name=$1; shift
    local args=() ; while [ "$1" != "--" ]; do args+=("$1"); shift; done; shift
    local prog=$1
    local o j t0 t1 count jcount r
    o=$(best_ms "$bin" --db "$db" "${args[@]}" --format ndjson)
    count=$("$bin" --db "$db" "${args[@]}" --format ndjson | wc -l)
    if [ "${JQ:-1}" = 0 ]; then
      j=- r=-
    else
      t0=$(date +%s%N); jcount=$(jq -c "$prog" "$file" | wc -l); t1=$(date +%s%N)
      j=$(( (t1 - t0) / 1000000 ))
      [ "$count" = "$jcount" ] || echo "MISMATCH for $name: oktascope $count, jq $jcount" >&2
      r=$(awk -v o="$o" -v j="$j" 'BEGIN{printf "%.3f", o/j}')
    fi
    ratios+=("$r")
    row "$name" "${o} ms" "${j} ms" "$r" "$count"
  }
  bench_query "hunt user-signin (user)" hunt user-signin --user "$user" -- \
    "select((.actor.id==\"$user\" or ([.target[]?.id] | index(\"$user\"))) and (.eventType as \$t | $signin | index(\$t)))"
  bench_query "hunt ip-signin (IP)" hunt ip-signin --ip "$ip" -- \
    "select(.client.ipAddress==\"$ip\" and (.eventType as \$t | $signin | index(\$t)))"
  bench_query "hunt session (session)" hunt session --session "$session" -- \
    "select(.authenticationContext.externalSessionId==\"$session\")"
  bench_query "filter (indexes): eventType sw \"user.mfa.\" and outcome.result eq \"FAILURE\"" \
    search 'eventType sw "user.mfa." and outcome.result eq "FAILURE"' -- \
    'select((.eventType | startswith("user.mfa.")) and .outcome.result=="FAILURE")'
  bench_query "filter (any field): eventType sw \"user.mfa.\" or (eventType sw \"system.push.\" and outcome.result eq \"SUCCESS\") or client.userAgent.rawUserAgent co \"curl\"" \
    search 'eventType sw "user.mfa." or (eventType sw "system.push." and outcome.result eq "SUCCESS") or client.userAgent.rawUserAgent co "curl"' -- \
    'select((.eventType | startswith("user.mfa.")) or ((.eventType | startswith("system.push.")) and .outcome.result=="SUCCESS") or ((.client.userAgent.rawUserAgent // "") | contains("curl")))'
  bench_query "filter (no column): debugContext.debugData.requestUri eq \"/api/v1/authn\"" \
    search 'debugContext.debugData.requestUri eq "/api/v1/authn"' -- \
    'select(.debugContext.debugData.requestUri == "/api/v1/authn")'

  /usr/bin/time -f '%e %M %U %S' -o "$out/scope-$n.time" "$bin" --db "$db" scope --ip "$office" --format json >"$out/scope-$n.json"
  read -r ssecs srss susr ssys <"$out/scope-$n.time"
  scope_events=$(jq -r '"\(.events) events, \((.users | length) + (.relatedUsers | length)) users, cappedAt \(.cappedAt)"' "$out/scope-$n.json")
  row "scope --ip $office (busiest address)" "${ssecs} s, $(awk -v u="$susr" -v s="$ssys" 'BEGIN{printf "%.1f", u+s}') CPU-s, peak RSS $(( srss / 1024 )) MB" "-" "-" "$scope_events"

  hist=$(best_ms "$bin" --db "$db" stats --format json)
  row "histogram of every event (stats, 60 buckets; the web UI's)" "${hist} ms" "-" "-" "$("$bin" --db "$db" stats --format json | jq .Total)"

  summary+=("$(printf '| %s | %s | %s | %s | %s | %s | %s | %s | %s s, %s MB |' \
    "$n" "$rate" "$cpu" "$(( rss_kb / 1024 ))" "$ratio" "${ratios[1]}" "${ratios[3]}" "${ratios[4]}/${ratios[5]}" "$ssecs" "$(( srss / 1024 ))")")
  if [ -n "${CLEAN:-}" ]; then
    rm -f "$file" "$db" "$db-wal" "$db-shm"
  fi
done

echo
echo "## Summary (oktascope/jq: time ratios, lower is better; load average now $(cut -d' ' -f1-3 /proc/loadavg))"
echo
echo "| events | import events/s | import CPU-s | import peak RSS MB | store/NDJSON | ip-signin/jq | index filter/jq | any-field / no-column filter/jq | scope of the busiest IP |"
echo "|---|---|---|---|---|---|---|---|---|"
printf '%s\n' "${summary[@]}"
