#!/bin/bash
# SPDX-License-Identifier: ISC
#
# The proxy's limits as a user meets them: back-pressure (a fast sender
# facing a stalled receiver, each way, leaves the proxy's memory and the
# bytes it moved bounded), the tunnel limit (the 65th gets 503, closing
# one frees a slot), and the idle timeout.
. "$top_srcdir/tests/lib/netns.sh"
. "$top_srcdir/tests/netns/proxy-lib.sh"

setup_world
start_proxy p 8888
start_proxy b 8886 -B
start_proxy m 8887
start_proxy q 8889 -t 1000
P=http://10.100.0.1:8888

# --- watermarks, on proxy $1 (p: splice path, b: buffered path) ---
watermarks() {
	local n=$1 port=$2 rss0 rss1 down1 up1 down2 up2 stall blast
	eval "rss0=\$(rss_kb \$PID_$n)"
	# (ip netns exec, not the in_ns function: $! must be the helper itself.)
	# Server blasts a huge body at a client that never reads.
	ip netns exec "$NV" "$PXPEER" stall -x 10.100.0.1:$port 203.0.113.20:443 \
	    >"$D/stall.$n" &
	stall=$!
	# Client blasts a body at a server that never reads.
	ip netns exec "$NV" "$PXPEER" blast -x 10.100.0.1:$port 203.0.113.20:1337 \
	    >"$D/blast.$n" &
	blast=$!
	wait_for 50 grep -q 200 "$D/stall.$n" || fail "stall tunnel not opened"
	wait_for 50 grep -q 200 "$D/blast.$n" || fail "blast tunnel not opened"
	# Let both fill every buffer on the way. Unbounded, the proxy would hold
	# gigabytes by now: loopback veths move well over 1 GB/s.
	sleep 1
	down1=$(stats $n bytes_down) up1=$(stats $n bytes_up)
	eval "rss1=\$(rss_kb \$PID_$n)"
	sleep 0.3
	down2=$(stats $n bytes_down) up2=$(stats $n bytes_up)
	note "$n: rss ${rss0} kB -> ${rss1} kB, moved down $down2 B, up $up2 B"
	[ "$down2" -lt $((64 * 1024 * 1024)) ] ||
	    fail "bytes_down $down2: back-pressure did not stop the sender"
	[ "$up2" -lt $((64 * 1024 * 1024)) ] ||
	    fail "bytes_up $up2: back-pressure did not stop the sender"
	assert_eq "$down2" "$down1" "bytes_down while the receiver stalls"
	assert_eq "$up2" "$up1" "bytes_up while the receiver stalls"
	[ $((rss1 - rss0)) -lt 16384 ] ||
	    fail "proxy RSS grew by $((rss1 - rss0)) kB with stalled receivers"
	# (A paused side is not read, so a client that leaves while its tunnel is
	# stalled is noticed by a write error or else by the idle timeout.)
	kill "$stall" "$blast" 2>/dev/null
}
watermarks p 8888
watermarks b 8886

# --- 64 tunnels (proxy m) ---
in_ns "$NV" "$PXPEER" hold -n 63 -x 10.100.0.1:8887 \
    203.0.113.20:443 >"$D/hold63" &
wait_for 100 count_is "$D/hold63" . 63 ||
    fail "63 tunnels: $(sort "$D/hold63" | uniq -c)"
assert_eq "$(sort -u "$D/hold63")" 200 "codes of the first 63 tunnels"
ip netns exec "$NV" "$PXPEER" hold -n 1 -x 10.100.0.1:8887 \
    203.0.113.20:443 >"$D/hold1" &
hold1=$!
wait_for 50 grep -q 200 "$D/hold1" || fail "64th tunnel"
assert_eq "$(stats m tunnels_open)" 64 "tunnels_open"
assert_eq "$(connect_code "$NV" -x http://10.100.0.1:8887 "http://$API:443/1")" 503 \
    "65th tunnel"
kill "$hold1"
wait_for 50 stat_is m tunnels_open 63 || fail "slot not freed"
assert_eq "$(in_ns "$NV" curl -sS -p -x http://10.100.0.1:8887 "http://$API:443/5" | wc -c)" 5 \
    "a tunnel after one closed"
assert_eq "$(stats m busy)" 1 "busy"

# --- idle timeout (1 s on proxy q) ---
in_ns "$NV" "$PXPEER" hold -n 3 -x 10.100.0.1:8889 203.0.113.20:443 \
    >"$D/holdq" &
wait_for 50 count_is "$D/holdq" 200 3 || fail "3 tunnels on q"
assert_eq "$(stats q tunnels_open)" 3 "tunnels_open on q"
# An active tunnel is not idle: a byte every 0.3 s for 1.5 s survives.
# (A rate-limited download would not show it: kernel buffers swallow it
# whole and the proxy rightly sees nothing moving.)
got=$({ printf 'PUT /x HTTP/1.1\r\nContent-Length: 5\r\n\r\n'
	for i in 1 2 3 4 5; do sleep 0.3; printf x; done; sleep 0.3; } |
    in_ns "$NV" socat -t 2 - \
    PROXY:10.100.0.1:203.0.113.20:1337,proxyport=8889 | tail -n 1)
assert_eq "$got" "$(printf xxxxx | sha256sum | cut -d' ' -f1)" \
    "answer through a slow but active tunnel"
wait_for 30 stat_is q tunnels_open 0 || fail "idle tunnels open"
assert_eq "$(stats q idle_timeouts)" 3 "idle_timeouts"
grep -q "down 0 B, 1\.[0-9]* s, idle timeout" "$D/q.log" ||
    fail "idle timeout not logged"
note "ok"
