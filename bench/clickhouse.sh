#!/usr/bin/env bash
# Benchmark oktascope's ClickHouse backend on a local cluster, 2 shards
# unless SHARDS says otherwise (docs/clickhouse.md). Runs unattended and
# ends with a summary table.
#
#   bench/clickhouse.sh [EVENTS...]      default: 1000000 10000000
#   SHARDS=1 bench/clickhouse.sh 1000000
#
# For each size: generates the log (bench/out/events-N.ndjson, shared with
# bench/run.sh), starts a fresh cluster of SHARDS servers whose merged
# parts are compressed with zstd and inserted ones with LZ4
# (bench/chcluster, folder bench/out/ch-N), imports through `oktascope
# import --db clickhouse://…` (wall time, events/s, CPU of oktascope and of
# the servers, load average), measures the disk per event, then runs
# bench/chbench: the article's eight playbooks on the busiest user, its
# address and session, other filters and the unfiltered histogram (best of
# RUNS, default 3). With COMPARE=1 it also imports the log into an embedded
# store and checks that every query returns the same uuids on both.
# KEEP=1 keeps the cluster's folder. Needs clickhouse-server (Debian's).
source "$(dirname "$0")/common.sh"
go build -o "$out/chcluster" ./bench/chcluster
go build -o "$out/chbench" ./bench/chbench

cpu_s() { # user+system CPU seconds of a process and its children so far
  awk '{printf "%.1f", ($14 + $15 + $16 + $17) / 100}' "/proc/$1/stat"
}
servers_cpu() { # CPU seconds of the cluster's servers
  local total=0
  for pid in $(grep -o 'pid [0-9]*' "$1" | cut -d' ' -f2); do
    total=$(awk -v t="$total" -v c="$(cpu_s "$pid")" 'BEGIN{printf "%.1f", t + c}')
  done
  echo "$total"
}

shards=${SHARDS:-2}
summary=()
for n in "${@:-1000000 10000000}"; do
  file="$out/events-$n.ndjson"
  [ -s "$file" ] || "$bin" generate --events "$n" --users $(( n / 500 + 50 )) --duration $(( n / 100000 + 24 ))h --incidents >"$file"
  dir="$out/ch-$n"
  rm -rf "$dir" "$out/ch-$n.dsn"
  "$out/chcluster" -shards "$shards" -zstd-min-part 1 -dir "$dir" -dsn-file "$out/ch-$n.dsn" >"$out/ch-$n.log" 2>&1 &
  cluster=$!
  trap 'kill $cluster 2>/dev/null; wait $cluster 2>/dev/null' EXIT
  for _ in $(seq 120); do [ -s "$out/ch-$n.dsn" ] && break; sleep 0.5; done
  [ -s "$out/ch-$n.dsn" ] || { cat "$out/ch-$n.log"; exit 1; }
  dsn=$(cat "$out/ch-$n.dsn")

  echo "## $n events: import into $dsn"
  before=$(servers_cpu "$out/ch-$n.log")
  /usr/bin/time -f '%e %U %S %M' -o "$out/ch-import-$n.time" \
    "$bin" --db "$dsn" import --rejects "$out/ch-rejects.ndjson" "$file" 2>"$out/ch-import-$n.log" >/dev/null
  read -r wall user sys rss_kb <"$out/ch-import-$n.time"
  servers=$(awk -v a="$(servers_cpu "$out/ch-$n.log")" -v b="$before" 'BEGIN{printf "%.1f", a - b}')
  events=$(wc -l <"$file")
  rate=$(awk -v e="$events" -v s="$wall" 'BEGIN{printf "%d", e / s}')
  bytes=0
  for port in $(grep -o 'HTTP 127.0.0.1:[0-9]*' "$out/ch-$n.log" | cut -d: -f2); do
    b=$(curl -sf "http://127.0.0.1:$port/" --data-binary \
      "SELECT sum(bytes_on_disk) FROM system.parts WHERE active AND database = 'oktascope'")
    bytes=$(( bytes + b ))
  done
  per_event=$(( bytes / events ))
  echo "import: ${wall} s, ${rate} events/s; CPU oktascope ${user}+${sys} s, servers ${servers} s; peak RSS $(( rss_kb / 1024 )) MB; load $(cut -d' ' -f1-3 /proc/loadavg)"
  echo "disk: $(( bytes / 1048576 )) MiB, ${per_event} bytes/event"

  mkdir -p "$out/ch-uuids-$n"
  "$out/chbench" -dsn "$dsn" -runs "${RUNS:-3}" -uuids "$out/ch-uuids-$n" queries | tee "$out/ch-queries-$n.tsv"

  if [ "${COMPARE:-0}" = 1 ]; then
    db="$out/events-$n.db"
    [ -s "$db" ] || "$bin" --db "$db" import --rejects "$out/rejects.ndjson" "$file" >/dev/null 2>&1
    while IFS=$'\t' read -r name _ count filter; do
      [ "$name" = histogram-60 ] && continue
      "$bin" --db "$db" search "$filter" --format ndjson | jq -r .uuid | sort >"$out/ch-uuids-$n/$name.store"
      if cmp -s "$out/ch-uuids-$n/$name" "$out/ch-uuids-$n/$name.store"; then
        echo "same uuids: $name ($count)"
      else
        echo "DIFFERENT uuids: $name: ClickHouse $count, store $(wc -l <"$out/ch-uuids-$n/$name.store")" >&2
      fi
    done <"$out/ch-queries-$n.tsv"
  fi

  summary+=("| $n | ${rate}/s (${wall} s; CPU ${user}+${sys} s + servers ${servers} s) | ${per_event} B | $(awk -F'\t' '$1 ~ /^playbook-user/ {if ($2 > m) m = $2} END {print m+0}' "$out/ch-queries-$n.tsv") ms | $(awk -F'\t' '$1 != "histogram-60" {if ($2 > m) m = $2} END {print m+0}' "$out/ch-queries-$n.tsv") ms | $(awk -F'\t' '$1 == "histogram-60" {print $2}' "$out/ch-queries-$n.tsv") ms |")
  kill "$cluster"; wait "$cluster" 2>/dev/null || true
  trap - EXIT
  [ "${KEEP:-0}" = 1 ] || rm -rf "$dir"
done

echo
echo "## Summary ($shards shard(s) on this machine, zstd merged parts; load $(cut -d' ' -f1-3 /proc/loadavg), $(nproc) cores)"
echo
echo "| events | import | disk/event | slowest user playbook | slowest query | unfiltered histogram |"
echo "|---|---|---|---|---|---|"
printf '%s\n' "${summary[@]}"
