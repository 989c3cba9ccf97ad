# SPDX-License-Identifier: ISC
# e2e 3: fail-closed. With the WG link deleted, with the server dead, and
# with piad (and its WireGuard program) killed, a container's traffic gets
# no answer; the web host never sees the uplink address; IPv6 from a
# container fails. piad repairs a deleted link by itself.
. "$top_srcdir/tests/lib/netns.sh"
. "$top_srcdir/tests/e2e/lib.sh"

sim_up
fast_timers
piad_up
srv=$(server_ip)
assert_eq "$(web_seen "$BOX")" "$srv" "before: the web host saw"

# 1. The WireGuard link disappears: no answer, then piad rebuilds it.
ip -n "$P-vpn" link del "${P}pia" || fail "cannot delete ${P}pia"
seen=$(web_seen "$BOX")
[ "$seen" != "$UPLINK" ] || fail "leak: the web host saw the uplink"
wait_until 20 sh -c "[ \"\$(ip netns exec $BOX curl -s --max-time 2 http://192.0.2.80/)\" = '$(server_ip)' ]" ||
	fail "no traffic after piad repaired the deleted WireGuard link"
wait_state STEADY 10
note "deleted WG link: repaired"

# 2. The server dies: nothing gets through it (and nothing leaks).
cn=$(status_q .server.cn)
sim_fault dead-server "$cn"
seen=$(ip netns exec "$BOX" curl -s --max-time 2 http://192.0.2.80/)
[ "$seen" != "$UPLINK" ] || fail "leak: the web host saw the uplink"
[ "$seen" != "$srv" ] || fail "a dead server still carried traffic"
"$PIASIM" fault --prefix "$P" clear >/dev/null

# 3. piad and its WireGuard program are killed: no answer at all.
piad_kill KILL
pkill -KILL -f "wireguard-go ${P}pia" || true
sleep 0.3
seen=$(ip netns exec "$BOX" curl -s --max-time 2 http://192.0.2.80/)
assert_eq "$seen" "" "answer with piad and WireGuard dead"

# IPv6 is off in containers.
assert_eq "$(ip netns exec "$BOX" sysctl -n net.ipv6.conf.all.disable_ipv6)" 1 \
    "disable_ipv6 in $BOX"
if ip netns exec "$BOX" ping -6 -c 1 -W 1 2001:db8::1 >/dev/null 2>&1; then
	fail "IPv6 ping from a container succeeded"
fi
assert_eq "$(leaks)" 0 "leak counter"
