#!/bin/bash
# SPDX-License-Identifier: ISC
#
# bench/steady.sh: piad end to end against piasim (the simulated PIA), as
# a user runs it (nsenter into the world's host netns, the generated
# config at log level info, as tests/e2e/lib.sh does). Prints numbers and
# a table (metric, measured, target, pass/fail); asserts nothing, exits 0.
#
#   1. start-to-STEADY, cold (a fresh world per run, wireguard-go start
#      included), with 0 ms and with 50 ms injected per API request
#      (`piasim fault latency 50 all`), and the sequential round trips
#      that implies: (median t50 - median t0) / 50 ms, rounded.
#   2. failover: from `piasim fault dead-server CN` (CN = piad's server) to
#      STEADY on another server, default timers (probe_interval 10s) and
#      probe_interval 1s. The probe timer ticks at STEADY + k * interval,
#      so the death is placed on purpose: run i of N kills the server
#      0.1 s + (i-1)/N interval after a probe; run 1 is the worst case.
#   3. piad's VmHWM in STEADY and its CPU time (utime+stime of
#      /proc/PID/stat, clock ticks) over a window of STEADY (60 s;
#      --quick: 10 s, scaled to a minute); schedstat's ns alongside,
#      because 60 ms/min is only 6 ticks.
#
# How time is taken: t0 is bash's $EPOCHREALTIME read just before piad is
# started (no fork in between); STEADY is the timestamp (ms) of piad's own
# log line "X -> STEADY (...)" (core/log.c stamps CLOCK_REALTIME, local
# time). The log is polled every 10 ms only to know when to stop waiting;
# the poll interval does not enter the numbers. For failover, t0 is taken
# just before `piasim fault dead-server` runs.
#
# Usage: bench/steady.sh [--quick] [--runs N] [--failover-runs N]
#                        [--window S]
#   BUILD=dir (default /tmp/piad-build-bench; build it with
#   `scripts/dev-build bench`). Needs root, jq, wireguard-go, nsenter.
# Only addresses inside the namespaces piasim makes are used; everything
# (piad --teardown, piasim down, temp dirs) is removed on exit.
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
B=${BUILD:-/tmp/piad-build-bench}
PIAD=$B/piad PIADCTL=$B/piadctl PIASIM=$B/tests/sim/piasim

RUNS=5 FRUNS=3 WINDOW=60 QUICK=0
while [ $# -gt 0 ]; do
	case $1 in
	--quick) QUICK=1 RUNS=3 FRUNS=1 WINDOW=10 ;;
	--runs) RUNS=$2; shift ;;
	--failover-runs) FRUNS=$2; shift ;;
	--window) WINDOW=$2; shift ;;
	-h|--help) sed -n '3,35p' "$0"; exit 0 ;;
	*) echo "usage: bench/steady.sh [--quick] [--runs N]" \
	    "[--failover-runs N] [--window S]" >&2; exit 2 ;;
	esac
	shift
done

die() { echo "bench/steady.sh: $*" >&2; exit 1; }
[ "$(id -u)" -eq 0 ] || die "needs root (network namespaces)"
for b in "$PIAD" "$PIADCTL" "$PIASIM"; do
	[ -x "$b" ] || die "not built: $b (run: scripts/dev-build bench)"
done
for t in jq wireguard-go nsenter ip; do
	command -v "$t" >/dev/null || die "needs $t"
done

# Unique world prefix per bench run, plus a world counter: at most 10
# characters of a-z0-9 (piasim builds interface names from it).
BASE=b$(printf '%04x%02x' $((RANDOM)) $(($$ % 256)))
NWORLD=0
P= D= PID=
HZ=$(getconf CLK_TCK)

# The current world and piad, removed at exit and between measurements.
world_down() {
	if [ -n "$PID" ]; then
		kill -TERM "$PID" 2>/dev/null
		wait "$PID" 2>/dev/null
		PID=
	fi
	if [ -n "$P" ]; then
		[ -e "/run/netns/$P-host" ] &&
			nsenter --net="/run/netns/$P-host" "$PIAD" --teardown \
			    -c "$D/piad.json" >>"$D/piad.log" 2>&1
		"$PIASIM" down --prefix "$P" >/dev/null 2>&1
		P=
	fi
	[ -n "$D" ] && rm -rf "$D"
	D=
}
trap world_down EXIT
trap 'exit 130' INT TERM

# world_up [TIMERS_PROBE_INTERVAL]: a fresh world, config at log level info.
world_up() {
	world_down
	NWORLD=$((NWORLD + 1))
	P=$BASE$NWORLD
	D=$(mktemp -d /tmp/piad-bench.XXXXXX)
	"$PIASIM" up --prefix "$P" --dir "$D" >/dev/null || die "piasim up"
	local f='.log.level = "info"'
	[ -n "${1:-}" ] && f="$f | .timers.probe_interval = \"$1\""
	jq "$f" "$D/piad.json" >"$D/piad.json.new" &&
		mv "$D/piad.json.new" "$D/piad.json" || die "jq on the config"
}

now_ms() { local t=${EPOCHREALTIME/./}; echo $((t / 1000)); }

# Local midnight (epoch ms) for the log's HH:MM:SS.mmm stamps.
midnight_ms() { echo $(( $(date -d 'today 00:00' +%s) * 1000 )); }

# stamp_ms "HH:MM:SS.mmm" REF_MS: epoch ms, the day chosen near REF_MS.
stamp_ms() {
	local s=$1 ref=$2 h m sec ms t
	h=${s:0:2} m=${s:3:2} sec=${s:6:2} ms=${s:9:3}
	t=$(( MIDNIGHT + ((10#$h * 60 + 10#$m) * 60 + 10#$sec) * 1000 + 10#$ms ))
	while [ $((t - ref)) -gt 43200000 ]; do t=$((t - 86400000)); done
	while [ $((ref - t)) -gt 43200000 ]; do t=$((t + 86400000)); done
	echo "$t"
}

# piad_start: start piad as e2e does (nsenter, not `ip netns exec`).
piad_start() {
	: >"$D/piad.log"
	T0=$(now_ms)
	nsenter --net="/run/netns/$P-host" env -u JOURNAL_STREAM "$PIAD" \
	    -c "$D/piad.json" >>"$D/piad.log" 2>&1 &
	PID=$!
}

# wait_line PATTERN FROM_BYTE SECONDS: poll the log (10 ms) until a line
# matching PATTERN appears after byte FROM_BYTE; prints that line.
wait_line() {
	local pat=$1 from=$2 left=$(($3 * 100)) l
	while [ $left -gt 0 ]; do
		l=$(tail -c +"$((from + 1))" "$D/piad.log" | grep -m1 -E -- "$pat")
		[ -n "$l" ] && { echo "$l"; return 0; }
		kill -0 "$PID" 2>/dev/null || return 1
		sleep 0.01
		left=$((left - 1))
	done
	return 1
}

# at PATTERN FROM_BYTE REF_MS: ms from REF_MS to the first matching line
# after FROM_BYTE, or "-".
at() {
	local l
	l=$(tail -c +"$(($2 + 1))" "$D/piad.log" | grep -m1 -E -- "$1") ||
		{ echo -; return; }
	echo $(( $(stamp_ms "${l:0:12}" "$3") - $3 ))
}

# stats V...: "median min max" of integers.
stats() {
	printf '%s\n' "$@" | sort -n | awk '{ v[NR] = $1 } END {
	    m = (NR % 2) ? v[(NR + 1) / 2] : int((v[NR / 2] + v[NR / 2 + 1]) / 2)
	    print m, v[1], v[NR] }'
}

TABLE=()
row() { TABLE+=("$1|$2|$3|$4"); }
verdict() { [ "$1" = 1 ] && echo pass || echo FAIL; }

MIDNIGHT=$(midnight_ms)
echo "bench/steady.sh: build $B, prefix $BASE*, $(nproc) CPUs, $(uname -r)"
echo

# ---- 1. start-to-STEADY --------------------------------------------------
# start_runs LATENCY_MS: RUNS cold starts; sets START_MS (one per run).
start_runs() {
	local lat=$1 i l st
	START_MS=()
	echo "start-to-STEADY, ${lat} ms per API request (ms from exec;" \
	    "phases: first log line, fsm start, -> AUTH, -> WG_UP, -> NAT," \
	    "-> PF_BIND, -> STEADY)"
	for i in $(seq "$RUNS"); do
		world_up
		[ "$lat" -gt 0 ] && { "$PIASIM" fault --prefix "$P" latency \
		    "$lat" all >/dev/null || die "piasim fault latency"; }
		piad_start
		l=$(wait_line ' -> STEADY' 0 60) || {
			echo "  run $i: no STEADY in 60 s; log:"; tail -20 "$D/piad.log"
			die "piad did not reach STEADY"; }
		st=$(( $(stamp_ms "${l:0:12}" "$T0") - T0 ))
		START_MS+=("$st")
		printf '  run %d: %5d ms  [%s %s %s %s %s %s %s] %s\n' "$i" "$st" \
		    "$(at . 0 "$T0")" "$(at 'fsm: starting' 0 "$T0")" \
		    "$(at 'BOOTSTRAP -> AUTH' 0 "$T0")" \
		    "$(at 'AUTH -> WG_UP' 0 "$T0")" \
		    "$(at 'WG_UP -> NAT' 0 "$T0")" \
		    "$(at 'NAT -> PF_BIND' 0 "$T0")" "$st" \
		    "$(echo "$l" | sed 's/.*-> STEADY //')"
		[ "$i" = 1 ] && cp "$D/piad.log" "/tmp/piad-bench-start$lat.log"
	done
	world_down
}

start_runs 0
read -r s0 s0min s0max <<<"$(stats "${START_MS[@]}")"
start_runs 50
read -r s50 s50min s50max <<<"$(stats "${START_MS[@]}")"
rt=$(( ((s50 - s0) * 10 / 50 + 5) / 10 ))
echo "  (first run's logs: /tmp/piad-bench-start0.log," \
    "/tmp/piad-bench-start50.log)"
echo
row "start-to-STEADY, 0 ms/request (median, min-max of $RUNS)" \
    "$s0 ms ($s0min-$s0max)" "<= 1000 ms (every run)" \
    "$(verdict $((s0max <= 1000)))"
row "start-to-STEADY, 50 ms/request (median, min-max of $RUNS)" \
    "$s50 ms ($s50min-$s50max)" "-" "-"
row "sequential round trips ((t50 - t0) / 50 ms)" "$rt" "<= 6" \
    "$(verdict $((rt <= 6)))"

# ---- 2. failover ---------------------------------------------------------
# failover_runs PROBE_INTERVAL: FRUNS runs; sets FAIL_MS.
failover_runs() {
	local pi=$1 i l off cn new tf st due ims=$((${1%s} * 1000))
	FAIL_MS=()
	echo "failover, probe_interval $pi (ms from dead-server; phases:" \
	    "1st probe failure, STEADY -> AUTH, -> WG_UP, -> STEADY;" \
	    "phase = when after a probe the server died)"
	for i in $(seq "$FRUNS"); do
		world_up "$pi"
		piad_start
		l=$(wait_line ' -> STEADY' 0 60) ||
			die "piad did not reach STEADY"
		# The probe timer runs at STEADY + k * interval. Run i kills
		# the server 0.1 s + (i-1)/N of an interval after a probe:
		# run 1 is the worst case (a probe has just been answered).
		due=$(( $(stamp_ms "${l:0:12}" "$T0") + ims + 100 +
		    (i - 1) * ims / FRUNS - $(now_ms) ))
		[ $due -gt 0 ] && sleep "$((due / 1000)).$(printf %03d $((due % 1000)))"
		cn=$("$PIADCTL" -s "$D/piad.sock" status --json |
		    jq -r .result.server.cn)
		off=$(stat -c %s "$D/piad.log")
		tf=$(now_ms)
		"$PIASIM" fault --prefix "$P" dead-server "$cn" >/dev/null ||
			die "piasim fault dead-server"
		l=$(wait_line ' -> STEADY' "$off" 120) || {
			echo "  run $i: no STEADY within 120 s; log:"
			tail -c +"$((off + 1))" "$D/piad.log" | tail -30
			die "no failover"; }
		st=$(( $(stamp_ms "${l:0:12}" "$tf") - tf ))
		new=$("$PIADCTL" -s "$D/piad.sock" status --json |
		    jq -r .result.server.cn)
		[ "$new" != "$cn" ] || echo "  run $i: WARNING: still on $cn"
		FAIL_MS+=("$st")
		printf '  run %d: %6d ms  %s -> %s  [%s %s %s %s]  phase %d ms\n' \
		    "$i" "$st" "$cn" "$new" "$(at 'probe failed' "$off" "$tf")" \
		    "$(at 'STEADY -> ' "$off" "$tf")" \
		    "$(at '-> WG_UP' "$off" "$tf")" "$st" \
		    $((100 + (i - 1) * ims / FRUNS))
		[ "$i" = 1 ] && cp "$D/piad.log" "/tmp/piad-bench-failover$pi.log"
	done
	world_down
}

failover_runs 10s
read -r f10 f10min f10max <<<"$(stats "${FAIL_MS[@]}")"
failover_runs 1s
read -r f1 f1min f1max <<<"$(stats "${FAIL_MS[@]}")"
echo "  (first run's logs: /tmp/piad-bench-failover10s.log," \
    "/tmp/piad-bench-failover1s.log)"
echo
row "failover to STEADY, probe_interval 10s (median, min-max of $FRUNS)" \
    "$(printf '%d.%01d s (%d.%01d-%d.%01d)' $((f10 / 1000)) \
    $((f10 % 1000 / 100)) $((f10min / 1000)) $((f10min % 1000 / 100)) \
    $((f10max / 1000)) $((f10max % 1000 / 100)))" "<= 35 s (every run)" \
    "$(verdict $((f10max <= 35000)))"
row "failover to STEADY, probe_interval 1s (median, min-max of $FRUNS)" \
    "$(printf '%d.%01d s (%d.%01d-%d.%01d)' $((f1 / 1000)) \
    $((f1 % 1000 / 100)) $((f1min / 1000)) $((f1min % 1000 / 100)) \
    $((f1max / 1000)) $((f1max % 1000 / 100)))" "- (reference)" "-"

# ---- 3. memory and CPU in STEADY -----------------------------------------
cpu_ticks() {	# PID: utime + stime, in clock ticks
	local s
	s=$(cat "/proc/$1/stat" 2>/dev/null) || { echo 0; return; }
	s=${s##*) }
	set -- $s
	echo $(( ${12} + ${13} ))
}
cpu_ns() {	# PID: on-CPU time of all its threads, ns (schedstat)
	cat /proc/"$1"/task/*/schedstat 2>/dev/null |
		awk '{ s += $1 } END { printf "%d\n", s }'
}
kb() { awk -v k="$2:" '$1 == k { print $2 }' "/proc/$1/status"; }

echo "memory and CPU in STEADY, window $WINDOW s"
world_up
piad_start
wait_line ' -> STEADY' 0 60 >/dev/null || die "piad did not reach STEADY"
wg=$(cat "/proc/$PID/task/$PID/children" 2>/dev/null | awk '{ print $1 }')
n0=$(cpu_ns "$PID") c0=$(cpu_ticks "$PID") w0=$( [ -n "$wg" ] && cpu_ticks "$wg" || echo 0)
start_cpu=$(( c0 * 1000 / HZ ))
sleep "$WINDOW"
n1=$(cpu_ns "$PID") c1=$(cpu_ticks "$PID") w1=$( [ -n "$wg" ] && cpu_ticks "$wg" || echo 0)
state=$("$PIADCTL" -s "$D/piad.sock" status --json | jq -r .result.state)
hwm=$(kb "$PID" VmHWM) rss=$(kb "$PID" VmRSS)
ranon=$(kb "$PID" RssAnon) rfile=$(kb "$PID" RssFile)
pss=$(awk '$1 == "Pss:" { print $2 }' "/proc/$PID/smaps_rollup")
cpu=$(( (c1 - c0) * 1000 / HZ )) wcpu=$(( (w1 - w0) * 1000 / HZ ))
cpu_min=$(( cpu * 60 / WINDOW ))
ns_min=$(( (n1 - n0) * 60 / WINDOW / 1000 ))	# us per minute
ns_min="$((ns_min / 1000)).$(printf %03d $((ns_min % 1000)))"
echo "  piad pid $PID: VmHWM $hwm kB, VmRSS $rss kB, state at end $state;" \
    "CPU to reach STEADY $start_cpu ms; CPU in window $cpu ms" \
    "(clock tick $((1000 / HZ)) ms), schedstat $(( (n1 - n0) / 1000 )) us;" \
    "threads $(ls /proc/$PID/task | wc -l)"
[ -n "$wg" ] && echo "  wireguard-go pid $wg: VmHWM $(kb "$wg" VmHWM) kB," \
    "CPU in window $wcpu ms"
cp /proc/"$PID"/smaps_rollup /tmp/piad-bench-smaps_rollup 2>/dev/null
awk '/^[0-9a-f]+-/ { name = $6 } /^Rss:/ { r[name == "" ? "[anon]" : name] += $2 }
    END { for (n in r) if (r[n] >= 64) printf "    %6d kB  %s\n", r[n], n }' \
    "/proc/$PID/smaps" | sort -rn | head -12 >/tmp/piad-bench-rss-by-map
echo "  RSS by mapping now (largest; /tmp/piad-bench-rss-by-map):"
cat /tmp/piad-bench-rss-by-map
echo
row "piad VmHWM in STEADY" "$((hwm / 1024)).$(( hwm % 1024 * 10 / 1024 )) MiB ($hwm kB)" \
    "<= 4 MiB" "$(verdict $((hwm <= 4096)))"
row "piad RSS at end: RssAnon + RssFile (shared libs); Pss (reference)" \
    "$ranon + $rfile kB; Pss $pss kB" "-" "-"
row "piad CPU in STEADY (utime+stime over $WINDOW s, per minute)" \
    "$cpu_min ms/min (schedstat: $ns_min ms/min)" "<= 60 ms/min" "$(verdict $((cpu_min <= 60)))"
[ -n "$wg" ] && row "wireguard-go CPU in STEADY (per minute, reference)" \
    "$((wcpu * 60 / WINDOW)) ms/min" "-" "-"
world_down

# ---- table ---------------------------------------------------------------
[ "$QUICK" = 1 ] && echo "(--quick: $RUNS runs, $FRUNS failover run(s)," \
    "CPU window $WINDOW s scaled to a minute)"
printf '%s\n' "metric|measured|target|result" "${TABLE[@]}" |
	column -t -s '|'
exit 0
