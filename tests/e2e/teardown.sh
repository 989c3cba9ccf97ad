# SPDX-License-Identifier: ISC
# `piad --teardown` removes everything piad created and nothing else; a
# SIGTERM before it leaves the topology fail-closed (no tunnel, no way out).
. "$top_srcdir/tests/lib/netns.sh"
. "$top_srcdir/tests/e2e/lib.sh"

e2e_up
# Someone else's table in the host netns must survive the teardown.
ip netns exec "$P-host" nft add table inet keepme

piad_kill TERM
for ns in "$P-vpn" "$APP" "$BOX"; do
	[ -e "/run/netns/$ns" ] || fail "SIGTERM removed netns $ns"
done
ip -n "$P-vpn" link show "${P}pia" >/dev/null 2>&1 &&
	fail "SIGTERM left the tunnel device"
assert_eq "$(ip netns exec "$BOX" curl -s --max-time 2 http://192.0.2.80/)" "" \
    "answer after SIGTERM (fail-closed)"
ip netns exec "$P-host" nft list table inet piad >/dev/null ||
	fail "SIGTERM removed the host firewall"

nsenter --net="/run/netns/$P-host" "$PIAD" --teardown -c "$CONF" \
    >>"$PIAD_LOG" 2>&1 || fail "piad --teardown failed"
for ns in "$P-vpn" "$APP" "$BOX"; do
	[ -e "/run/netns/$ns" ] && fail "netns $ns left behind"
done
[ -e "/etc/netns/$APP" ] && fail "/etc/netns/$APP left behind"
ip -n "$P-host" link show br-vpn >/dev/null 2>&1 && fail "bridge left behind"
ip -n "$P-host" -o link | grep -q ' pv-' && fail "a veth left behind"
ip netns exec "$P-host" nft list table inet piad >/dev/null 2>&1 &&
	fail "host table inet piad left behind"
ip netns exec "$P-host" nft list table inet keepme >/dev/null ||
	fail "teardown removed someone else's table"
assert_eq "$(leaks)" 0 "leak counter"
