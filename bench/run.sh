#!/usr/bin/env bash
# Benchmark oktascope against jq on the same NDJSON (docs/performance.md).
#
#   bench/run.sh [EVENTS...]      default: 1000000 10000000
#
# For each size it generates a synthetic org log (oktascope generate), then
# measures in one run: import events/s and peak RSS; the article's user, IP
# and session hunts; an arbitrary filter; and the same answers computed by jq
# over the NDJSON, printing the ratio oktascope/jq. Each query is timed as
# the best of 5 runs of the whole command (process start included).
# Needs jq and GNU time (apt-get install jq time). Writes to bench/out/.
source "$(dirname "$0")/common.sh"

best_ms() { # best of $RUNS (default 5) wall-clock runs of "$@", in milliseconds
  local best=999999999
  for _ in $(seq "${RUNS:-5}"); do
    local t0 t1
    t0=$(date +%s%N); "$@" >/dev/null; t1=$(date +%s%N)
    local ms=$(( (t1 - t0) / 1000000 ))
    (( ms < best )) && best=$ms
  done
  echo "$best"
}

row() { printf '| %s | %s | %s | %s | %s |\n' "$@"; }

for n in "${@:-1000000 10000000}"; do
  file="$out/events-$n.ndjson"
  db="$out/events-$n.db"
  [ -s "$file" ] || "$bin" generate --events "$n" --users $(( n / 500 + 50 )) --duration $(( n / 100000 + 24 ))h --incidents >"$file"
  size=$(stat -c %s "$file")
  if [ -z "${REUSE_DB:-}" ] || [ ! -s "$db" ]; then # REUSE_DB=1 skips the import when the store exists
    rm -f "$db" "$db-wal" "$db-shm"
    /usr/bin/time -f '%e %M' -o "$out/import-$n.time" "$bin" --db "$db" import --rejects "$out/rejects.ndjson" "$file" 2>"$out/import-$n.log" >/dev/null
  fi
  read -r secs rss_kb <"$out/import-$n.time"
  events=$(wc -l <"$file")

  # Indicators: the busiest user, one of its IPs and sessions. (head closes
  # the pipe early: no pipefail here.)
  set +o pipefail
  user=$(jq -r 'select(.eventType=="user.session.start") | .actor.id' "$file" | head -200000 | sort | uniq -c | sort -rn | head -1 | awk '{print $2}')
  ip=$(jq -r --arg u "$user" 'select(.actor.id==$u) | .client.ipAddress' "$file" | head -1)
  session=$(jq -r --arg u "$user" 'select(.actor.id==$u and .authenticationContext.externalSessionId != "unknown") | .authenticationContext.externalSessionId' "$file" | head -1)
  set -o pipefail

  signin='["user.session.start","policy.evaluate_sign_on","user.authentication.verify","application.policy.sign_on.deny_access","user.authentication.sso","user.authentication.auth_via_mfa","user.mfa.factor.activate","system.push.send_factor_verify_push","system.email.send_factor_verify_message","system.sms.send_factor_verify_message","system.sms.send_phone_verification_message","system.voice.send_mfa_challenge_call","system.voice.send_phone_verification_call","system.email.password_reset.sent_message","system.sms.send_password_reset_message","system.voice.send_password_reset_call","user.account.reset_password","user.account.update_password","system.email.account_unlock.sent_message","system.sms.send_account_unlock_message","system.voice.send_account_unlock_call","user.account.unlock_token","user.account.unlock"]'

  echo
  echo "## $n events ($(( size / 1048576 )) MiB of NDJSON)"
  echo
  row "measure" "oktascope" "jq" "oktascope/jq" "answer (events)"
  row "---" "---" "---" "---" "---"
  jq_import=$(RUNS=1 best_ms jq -c . "$file")
  rate=$(awk -v s="$secs" -v e="$events" 'BEGIN{printf "%d", e/s}')
  row "import" "${secs} s: ${rate} events/s, peak RSS $(( rss_kb / 1024 )) MB" "${jq_import} ms (jq -c . reads it once)" "-" "$events"

  bench_query() { # name, oktascope args..., then -- jq program
    local name=$1; shift
    local args=() ; while [ "$1" != "--" ]; do args+=("$1"); shift; done; shift
    local prog=$1
    local o j count jcount
    o=$(best_ms "$bin" --db "$db" "${args[@]}" --format ndjson)
    j=$(RUNS=1 best_ms jq -c "$prog" "$file")
    count=$("$bin" --db "$db" "${args[@]}" --format ndjson | wc -l)
    jcount=$(jq -c "$prog" "$file" | wc -l)
    [ "$count" = "$jcount" ] || echo "MISMATCH for $name: oktascope $count, jq $jcount" >&2
    row "$name" "${o} ms" "${j} ms" "$(awk -v o="$o" -v j="$j" 'BEGIN{printf "%.3f", o/j}')" "$count"
  }
  bench_query "hunt user-signin (user)" hunt user-signin --user "$user" -- \
    "select((.actor.id==\"$user\" or ([.target[]?.id] | index(\"$user\"))) and (.eventType as \$t | $signin | index(\$t)))"
  bench_query "hunt ip-signin (IP)" hunt ip-signin --ip "$ip" -- \
    "select(.client.ipAddress==\"$ip\" and (.eventType as \$t | $signin | index(\$t)))"
  bench_query "hunt session (session)" hunt session --session "$session" -- \
    "select(.authenticationContext.externalSessionId==\"$session\")"
  bench_query "filter: eventType sw \"user.mfa.\" and outcome.result eq \"FAILURE\"" \
    search 'eventType sw "user.mfa." and outcome.result eq "FAILURE"' -- \
    'select((.eventType | startswith("user.mfa.")) and .outcome.result=="FAILURE")'
done
