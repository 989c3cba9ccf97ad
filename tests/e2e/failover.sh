# SPDX-License-Identifier: ISC
# e2e 4: a dead server is detected and piad reaches STEADY on another
# server; a process in the container keeps its listening socket.
. "$top_srcdir/tests/lib/netns.sh"
. "$top_srcdir/tests/e2e/lib.sh"

sim_up
fast_timers
piad_up
old_cn=$(status_q .server.cn)
ip netns exec "$APP" "$PIASIM" echo --port 5555 >/dev/null 2>&1 &
listener=$!
on_exit "kill $listener"
sleep 0.2
ino=$(ip netns exec "$APP" ss -Hltne 'sport = :5555' 2>/dev/null | grep -o 'ino:[0-9]*')
[ -n "$ino" ] || fail "the listener is not listening"

sim_fault dead-server "$old_cn"
wait_until 40 sh -c "[ \"\$('$PIADCTL' -s '$SOCK' status --json | jq -r '.result.server.cn')\" != '$old_cn' ] && [ \"\$('$PIADCTL' -s '$SOCK' status --json | jq -r .result.state)\" = STEADY ]" ||
	fail "piad did not move away from the dead server $old_cn"
new_cn=$(status_q .server.cn)
note "failover: $old_cn -> $new_cn"
assert_eq "$(web_seen "$BOX")" "$(server_ip)" "the web host saw (new server)"

kill -0 $listener || fail "the container's listener died"
ino2=$(ip netns exec "$APP" ss -Hltne 'sport = :5555' 2>/dev/null | grep -o 'ino:[0-9]*')
assert_eq "$ino2" "$ino" "the listening socket (same inode)"
[ "$(ctl metrics | grep -c 'piad_reconnects_total{cause="tunnel_dead"} [1-9]')" = 1 ] ||
	fail "metrics: no reconnect counted as tunnel_dead"
assert_eq "$(leaks)" 0 "leak counter"
