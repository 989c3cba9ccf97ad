# SPDX-License-Identifier: ISC
# e2e 4: a dead server is detected and piad reaches STEADY on another
# server; a process in the container keeps its listening socket.
. "$top_srcdir/tests/lib/netns.sh"
. "$top_srcdir/tests/e2e/lib.sh"

sim_up
fast_timers
piad_up
# `piadctl reconnect` moves to another server of the region.
cur=$(status_q .server.cn)
ctl reconnect >/dev/null || fail "piadctl reconnect refused"
wait_until 20 sh -c "[ \"\$('$PIADCTL' -s '$SOCK' status --json | jq -r '.result.server.cn')\" != '$cur' ] && [ \"\$('$PIADCTL' -s '$SOCK' status --json | jq -r .result.state)\" = STEADY ]" ||
	fail "reconnect did not move away from $cur"
note "reconnect: $cur -> $(status_q .server.cn)"
assert_eq "$(web_seen "$BOX")" "$(server_ip)" "the web host saw (after reconnect)"

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
# The port is forwarded on the new server too.
ip netns exec "$APP" "$PIASIM" echo --port 51413 >/dev/null 2>&1 &
on_exit "kill $!"
wait_until 10 sh -c "[ \"\$('$PIADCTL' -s '$SOCK' status --json | jq -r .result.port_forward.status)\" = ok ]" ||
	fail "no port forwarding on $new_cn"
assert_eq "$("$PIASIM" probe --prefix "$P" "$(server_ip)" "$(forwarded_port)" pf)" pf \
    "echo through the port forwarded on $new_cn"

kill -0 $listener || fail "the container's listener died"
ino2=$(ip netns exec "$APP" ss -Hltne 'sport = :5555' 2>/dev/null | grep -o 'ino:[0-9]*')
assert_eq "$ino2" "$ino" "the listening socket (same inode)"
[ "$(ctl metrics | grep -c 'piad_reconnects_total{cause="tunnel_dead"} [1-9]')" = 1 ] ||
	fail "metrics: no reconnect counted as tunnel_dead"
assert_eq "$(leaks)" 0 "leak counter"

