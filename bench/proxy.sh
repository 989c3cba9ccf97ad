#!/bin/bash
# SPDX-License-Identifier: ISC
#
# bench/proxy.sh: piad's CONNECT proxy (tests/proxy/proxyd) side by side
# with tinyproxy, on the loopback of a private netns (needs root):
#   - throughput of one tunnel (512 MiB GET through it, best of 5);
#   - CONNECT-to-first-byte latency (connect, CONNECT, 200, GET /1, the
#     answer; median of 5 interleaved rounds' medians);
#   - 500 concurrent tunnels: requests/s to set them all up, and the
#     proxy's RSS while all 500 are open (tinyproxy: all its processes).
# Prints a table with ratios piad/tinyproxy. Targets: throughput >= 1.0x,
# latency <= 1.0x, RSS at 500 tunnels <= 0.5x.
#
# Usage: bench/proxy.sh [BUILDDIR]   (default /tmp/piad-build-proxy)
# Env: BYTES (536870912), TPUT_RUNS (5), LAT_N (500), CONC (500)
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
b=${1:-/tmp/piad-build-proxy}
PXPEER=$b/tests/proxy/pxpeer PROXYD=$b/tests/proxy/proxyd
BYTES=${BYTES:-536870912} LAT_N=${LAT_N:-500} CONC=${CONC:-500}
TPUT_RUNS=${TPUT_RUNS:-5}
[ "$(id -u)" -eq 0 ] || { echo "bench/proxy.sh: needs root (netns)"; exit 1; }
[ -x "$PXPEER" ] && [ -x "$PROXYD" ] ||
    { echo "build first: scripts/dev-build proxy check TESTS="; exit 1; }
command -v tinyproxy >/dev/null || { echo "needs tinyproxy"; exit 1; }

NS=pxbench$$
D=$(mktemp -d /tmp/pxbench.XXXXXX)
cleanup() {
	ip netns pids "$NS" 2>/dev/null | xargs -r kill -9 2>/dev/null || true
	ip netns del "$NS" 2>/dev/null || true
	rm -rf "$D"
}
trap cleanup EXIT
ip netns add "$NS"
ip -n "$NS" link set lo up
ulimit -n 8192
X() { ip netns exec "$NS" "$@"; }

X "$PXPEER" serve 127.0.0.1:1337 &
X "$PROXYD" -l 127.0.0.1:8888 -s 127.0.0.1 -i 127.0.0.1 -m 2000 \
    -R "$D/piad.ready" 2>"$D/piad.log" &
cat >"$D/tinyproxy.conf" <<CONF
Port 8889
Listen 127.0.0.1
Timeout 600
MaxClients 2000
Allow 127.0.0.1
ConnectPort 1337
LogLevel Critical
LogFile "$D/tinyproxy.log"
CONF
X tinyproxy -d -c "$D/tinyproxy.conf" &
tiny=$!
for i in $(seq 50); do
	[ -s "$D/piad.ready" ] && X bash -c 'exec 3<>/dev/tcp/127.0.0.1/8889' \
	    2>/dev/null && X bash -c 'exec 3<>/dev/tcp/127.0.0.1/1337' \
	    2>/dev/null && break
	sleep 0.1
done
piad=$(cat "$D/piad.ready")

# RSS in kB of a process and all its descendants.
rss_tree() {
	local sum=0 p
	for p in $1 $(ps -o pid= --ppid "$1"); do
		sum=$((sum + $(awk '/^VmRSS:/ { print $2 }' /proc/$p/status)))
	done
	echo $sum
}

val() { awk -v k="$1" '$1 == k { print $2 }'; }

# Best of TPUT_RUNS, the two proxies interleaved so that load from other
# processes on the machine hits both alike.
tput_both() {
	local p=0 t=0 v i
	for i in $(seq "$TPUT_RUNS"); do
		v=$(X "$PXPEER" tput -x 127.0.0.1:8888 127.0.0.1:1337 \
		    "$BYTES" | val mbytes_per_s)
		p=$(echo "$v $p" | awk '{ print ($1 > $2) ? $1 : $2 }')
		v=$(X "$PXPEER" tput -x 127.0.0.1:8889 127.0.0.1:1337 \
		    "$BYTES" | val mbytes_per_s)
		t=$(echo "$v $t" | awk '{ print ($1 > $2) ? $1 : $2 }')
	done
	echo "$p $t"
}

conc() {	# proxy pid -> "rps rss_kB"
	local out=$D/conc.$2 rss
	X "$PXPEER" conc -x "$1" 127.0.0.1:1337 "$CONC" 2000 >"$out" &
	local c=$!
	while ! grep -q ready "$out" 2>/dev/null; do sleep 0.05; done
	sleep 0.5
	rss=$(rss_tree "$2")
	wait $c || echo "conc through $1: some tunnels failed" >&2
	echo "$(val requests_per_s <"$out") $rss"
}

echo "# proxy bench: $BYTES B per throughput run, $LAT_N latency samples," \
    "$CONC concurrent tunnels" >&2
read -r p_tput t_tput <<<"$(tput_both)"
# Latency in 5 interleaved rounds; for each of median, p90 and mean the
# median over the rounds, so that a burst of load elsewhere does not pick
# a winner.
lat_both() {
	local i n=$((LAT_N / 5)) k
	for i in 1 2 3 4 5; do
		X "$PXPEER" lat -x 127.0.0.1:8888 127.0.0.1:1337 $n |
		    sed 's/^/p_/' >>"$D/lat"
		X "$PXPEER" lat -x 127.0.0.1:8889 127.0.0.1:1337 $n |
		    sed 's/^/t_/' >>"$D/lat"
	done
	for k in p_latency_us_median t_latency_us_median p_latency_us_p90 \
	    t_latency_us_p90 p_latency_us_mean t_latency_us_mean; do
		printf '%s ' "$(val $k <"$D/lat" | sort -n | sed -n 3p)"
	done
	echo
}
read -r p_lat t_lat p_p90 t_p90 p_mean t_mean <<<"$(lat_both)"
read -r p_rps p_rss <<<"$(conc 127.0.0.1:8888 "$piad")"
read -r t_rps t_rss <<<"$(conc 127.0.0.1:8889 "$tiny")"

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", (b > 0 ? a / b : 0) }'; }
printf '%-34s %12s %12s %8s %s\n' metric piad tinyproxy ratio target
printf '%-34s %12s %12s %8s %s\n' "1-tunnel throughput (MB/s)" \
    "$p_tput" "$t_tput" "$(ratio "$p_tput" "$t_tput")" ">= 1.0"
printf '%-34s %12s %12s %8s %s\n' "CONNECT-to-first-byte median (us)" \
    "$p_lat" "$t_lat" "$(ratio "$p_lat" "$t_lat")" "<= 1.0"
printf '%-34s %12s %12s %8s %s\n' "CONNECT-to-first-byte p90 (us)" \
    "$p_p90" "$t_p90" "$(ratio "$p_p90" "$t_p90")" "-"
printf '%-34s %12s %12s %8s %s\n' "CONNECT-to-first-byte mean (us)" \
    "$p_mean" "$t_mean" "$(ratio "$p_mean" "$t_mean")" "-"
printf '%-34s %12s %12s %8s %s\n' "$CONC tunnels setup (req/s)" \
    "$p_rps" "$t_rps" "$(ratio "$p_rps" "$t_rps")" "-"
printf '%-34s %12s %12s %8s %s\n' "RSS with $CONC tunnels open (kB)" \
    "$p_rss" "$t_rss" "$(ratio "$p_rss" "$t_rss")" "<= 0.5"
