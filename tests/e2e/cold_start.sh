# SPDX-License-Identifier: ISC
# e2e 1: a cold start reaches STEADY; from a managed container the web
# host sees the fake server's public IP (not the host's uplink); a name in
# the test zone resolves through the tunnel; status has every field.
. "$top_srcdir/tests/lib/netns.sh"
. "$top_srcdir/tests/e2e/lib.sh"

e2e_up

srv=$(server_ip)
[ -n "$srv" ] && [ "$srv" != null ] || fail "status has no server ip"
seen=$(web_seen "$BOX")
assert_eq "$seen" "$srv" "source address the web host saw from $BOX"
seen=$(web_seen "$APP")
assert_eq "$seen" "$srv" "source address the web host saw from $APP"
note "web host saw $seen (server $(status_q .server.cn))"

# DNS through the tunnel: resolv.conf points at the relay.
grep -q '^nameserver 10.100.0.2$' "/etc/netns/$BOX/resolv.conf" ||
	fail "/etc/netns/$BOX/resolv.conf does not name the relay"
ans=$(ip netns exec "$BOX" dig +short +time=2 +tries=1 @10.100.0.2 \
    web.piasim.test A)
[ -n "$ans" ] || fail "web.piasim.test did not resolve through the relay"
note "web.piasim.test -> $ans"

# Every status field of design section 11 is there.
for f in .state .since .server.region .server.cn .server.ip .server.port \
    .server.vip .tunnel.interface .tunnel.backend .tunnel.peer_ip \
    .tunnel.last_handshake_age_s .tunnel.rx_bytes .tunnel.tx_bytes \
    .port_forward.status .port_forward.port .port_forward.target \
    '.containers[0].name' '.containers[0].ok' .counters; do
	v=$(status_q "$f")
	[ -n "$v" ] && [ "$v" != null ] || fail "status$f is missing"
done
assert_eq "$(status_q .tunnel.backend)" userspace "tunnel backend"
assert_eq "$(leaks)" 0 "leak counter"
