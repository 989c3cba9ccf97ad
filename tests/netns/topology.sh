# SPDX-License-Identifier: ISC
#
# Topology reconcile end to end, as root, inside a test "host" netns:
# build bridge + VPN netns + 3 managed containers, check that containers
# reach the bridge and have IPv6 off, that a second reconcile changes
# nothing (zero netlink writes), that a deleted veth or bridge is restored
# and only it, that a container dropped from the config is removed, and
# that teardown removes exactly what piad created (a netns that existed
# before stays).
. "$top_srcdir/tests/lib/netns.sh"
command -v ping >/dev/null || skip "needs ping"

TOOL=$top_builddir/tests/netns/topo-tool
[ -x "$TOOL" ] || fail "missing $TOOL"
H=$T-host
W=$(mktemp -d)
REC=$W/record.json
RES=$W/netns
on_exit "rm -rf '$W'"
mk_netns "$H"
# Whatever happens, nothing named after this run survives it.
on_exit "for n in \$(ip netns list | awk '{print \$1}' | grep '^$T-'); do ip netns del \$n; done"
on_exit "'$TOOL' -H '$H' -r '$REC' teardown"

# c3 exists before piad: it must be used, and must survive teardown.
mk_netns "$T-c3"

args=(-b "${T}br" -a 10.100.0.1/24 -v "$T-vpn=10.100.0.2"
	-c "$T-c1=10.100.0.10" -c "$T-c2=10.100.0.11" -c "$T-c3=10.100.0.12"
	-A "$T-att=10.100.0.20")
tool() { "$TOOL" -H "$H" -r "$REC" -R "$RES" "$@"; }
field() { awk -v k="$1" '$1 == k { print $2 }'; }

out=$(tool reconcile "${args[@]}") || fail "first reconcile failed: $out"
[ "$(field writes <<<"$out")" -gt 0 ] || fail "first reconcile wrote nothing"
note "first reconcile: $(field writes <<<"$out") netlink writes"

for n in vpn c1 c2 c3; do
	ip netns list | grep -q "^$T-$n\b" || fail "netns $T-$n missing"
done
ip netns list | grep -q "^$T-att\b" && fail "attached container got a netns"
for n in c1 c2 c3; do
	in_ns "$T-$n" ping -c1 -W2 10.100.0.1 >/dev/null ||
		fail "$T-$n cannot ping the bridge host address"
	assert_eq "$(in_ns "$T-$n" sysctl -n net.ipv6.conf.all.disable_ipv6)" 1 \
		"$T-$n net.ipv6.conf.all.disable_ipv6"
	assert_eq "$(in_ns "$T-$n" sysctl -n net.ipv6.conf.default.disable_ipv6)" 1 \
		"$T-$n net.ipv6.conf.default.disable_ipv6"
	[ -z "$(ip -n "$T-$n" -6 addr show)" ] || fail "$T-$n has IPv6 addresses"
	assert_eq "$(ip -n "$T-$n" route show default | awk '{$1=$1};1')" \
		"default via 10.100.0.2 dev eth0" "$T-$n default route"
	assert_eq "$(cat "$RES/$T-$n/resolv.conf")" "nameserver 10.100.0.2" \
		"$T-$n resolv.conf"
done
in_ns "$T-c1" ping -c1 -W2 10.100.0.2 >/dev/null || fail "c1 cannot reach the VPN netns"
assert_eq "$(in_ns "$T-vpn" sysctl -n net.ipv4.ip_forward)" 1 "VPN ip_forward"
[ -z "$(ip -n "$T-vpn" route show default)" ] || fail "VPN netns got a default route"

# Second run: nothing to do.
out=$(tool reconcile "${args[@]}") || fail "second reconcile failed: $out"
assert_eq "$(field writes <<<"$out")" 0 "netlink writes of an unchanged reconcile"
assert_eq "$(field actions <<<"$out")" 0 "actions of an unchanged reconcile"

# Someone deletes c2's veth: only that is restored.
v2=$("$TOOL" veth-name "$T-c2")
c1idx=$(ip -n "$T-c1" -o link show eth0 | cut -d: -f1)
ip -n "$H" link del "$v2"
out=$(tool reconcile "${args[@]}") || fail "repair failed: $out"
[ "$(field writes <<<"$out")" -gt 0 ] || fail "repair wrote nothing"
grep -q "^action create veth $v2 " <<<"$out" || fail "veth $v2 not recreated: $out"
if grep '^action ' <<<"$out" | grep -v -e "$v2" -e "netns $T-c2\$"; then
	fail "repair touched more than $v2"
fi
assert_eq "$(ip -n "$T-c1" -o link show eth0 | cut -d: -f1)" "$c1idx" "c1 eth0 ifindex"
in_ns "$T-c2" ping -c1 -W2 10.100.0.1 >/dev/null || fail "c2 not repaired"

# Someone deletes the bridge: recreated, every veth attached again.
ip -n "$H" link del "${T}br"
out=$(tool reconcile "${args[@]}") || fail "bridge repair failed: $out"
grep -q "^action create bridge ${T}br" <<<"$out" || fail "bridge not recreated"
assert_eq "$(grep -c '^action attach veth' <<<"$out")" 4 "veths re-attached"
grep -q '^action create veth' <<<"$out" && fail "bridge repair recreated a veth"
for n in c1 c2 c3; do
	in_ns "$T-$n" ping -c1 -W2 10.100.0.1 >/dev/null || fail "$T-$n after bridge repair"
done

# A restarted piad (new process, record from disk) sees nothing to do.
out=$(tool reconcile "${args[@]}") || fail "reconcile after restart failed"
assert_eq "$(field writes <<<"$out")" 0 "writes after restart"

# c1's address changes in the config: only c1 is touched.
args1=(-b "${T}br" -a 10.100.0.1/24 -v "$T-vpn=10.100.0.2"
	-c "$T-c1=10.100.0.13" -c "$T-c2=10.100.0.11" -c "$T-c3=10.100.0.12")
out=$(tool reconcile "${args1[@]}") || fail "readdressing c1 failed: $out"
if grep '^action ' <<<"$out" | grep -v -e "netns $T-c1\$"; then
	fail "readdressing c1 touched something else"
fi
assert_eq "$(ip -n "$T-c1" -4 -o addr show dev eth0 | awk '{print $4}')" \
	10.100.0.13/24 "c1 addresses"
in_ns "$H" ping -c1 -W2 10.100.0.13 >/dev/null || fail "host cannot reach c1's new address"

# c2 leaves the config: its veth, netns and resolv.conf go, nothing else.
args2=(-b "${T}br" -a 10.100.0.1/24 -v "$T-vpn=10.100.0.2"
	-c "$T-c1=10.100.0.13" -c "$T-c3=10.100.0.12")
out=$(tool reconcile "${args2[@]}") || fail "reconcile without c2 failed"
ip netns list | grep -q "^$T-c2\b" && fail "netns $T-c2 not removed"
ip -n "$H" link show "$v2" >/dev/null 2>&1 && fail "veth $v2 not removed"
[ -e "$RES/$T-c2" ] && fail "$RES/$T-c2 not removed"
if grep '^action ' <<<"$out" | grep -v -e "$v2" -e "$T-c2"; then
	fail "removing c2 touched something else"
fi

# Teardown: only what piad made goes; c3's netns (made before) stays.
out=$("$TOOL" -H "$H" -r "$REC" teardown) || fail "teardown failed: $out"
assert_eq "$(field recorded <<<"$out")" 0 "record after teardown"
assert_eq "$(ip netns list | awk '{print $1}' | grep "^$T-" | sort | tr '\n' ' ')" \
	"$T-c3 $T-host " "netns left after teardown"
assert_eq "$(ip -n "$H" -o link show | awk -F': ' '{print $2}' | tr '\n' ' ')" \
	"lo " "links left in the host netns"
assert_eq "$(ip -n "$T-c3" -o link show | awk -F': ' '{print $2}' | tr '\n' ' ')" \
	"lo " "links left in the pre-existing netns"
[ -z "$(ls -A "$RES" 2>/dev/null)" ] || fail "resolv.conf files left: $(ls -A "$RES")"
echo "PASS"
