# SPDX-License-Identifier: ISC
#
# piad's nftables tables, applied through net/nft.h (nft-tool), observed
# with nft, ping, socat and the drop counters read back through the API:
# - host table: the rules are listed in that netns; traffic from the bridge
#   is not forwarded anywhere; only allowed sources reach the proxy port;
#   ICMP is accepted; forbidden flows count into fwd_drop / in_drop;
# - re-applying is atomic: a flood of forbidden UDP probes during hundreds
#   of re-applies gets no packet through (a control run without the table
#   shows the probes do arrive otherwise), and counters carry over;
# - another table in the same netns survives every apply and the removal;
# - VPN table: masquerade out of the WG side, DNAT of the forwarded port to
#   the container, no direct forward from the WG side, output only to the
#   bridge subnet / lo / WG, IPv6 dropped, each with its counter.
. "$top_srcdir/tests/lib/netns.sh"
command -v socat >/dev/null || skip "needs socat"
NT=$top_builddir/tests/netns/nft-tool
[ -x "$NT" ] || fail "missing $NT (make check builds it)"

counter() {	# NETNS NAME -> packets
	"$NT" -N "$1" counters | awk -v n="$2" '$1 == n { print $2 }'
}

# ---------------------------------------------------------------- host ---
hs=${T}hs c1=${T}c1 c2=${T}c2 up=${T}up br=b${T}
for n in $hs $c1 $c2 $up; do mk_netns $n; done
ip -n $hs link add $br type bridge && ip -n $hs link set $br up
ip -n $hs addr add 10.100.0.1/24 dev $br
i=2
for c in $c1 $c2; do
	ip -n $hs link add v$i$T type veth peer name eth0 netns $c
	ip -n $hs link set v$i$T master $br up
	ip -n $c addr add 10.100.0.$i/24 dev eth0
	ip -n $c link set eth0 up
	ip -n $c route add default via 10.100.0.1
	i=$((i + 1))
done
ip -n $hs link add u$T type veth peer name eth0 netns $up
ip -n $hs addr add 192.0.2.1/24 dev u$T && ip -n $hs link set u$T up
ip -n $up addr add 192.0.2.2/24 dev eth0 && ip -n $up link set eth0 up
ip -n $up route add 10.100.0.0/24 via 192.0.2.1
in_ns $hs sysctl -qw net.ipv4.ip_forward=1

# Someone else's table, which piad must never touch.
in_ns $hs nft -f - <<'NFT' || fail "cannot create the foreign table"
table inet other {
	counter seen { }
	chain c {
		type filter hook input priority 10; policy accept;
		counter name "seen"
	}
}
NFT
other_before=$(in_ns $hs nft list table inet other | grep -v packets)

# Without our table the host forwards the bridge: the test can see a leak.
in_ns $c1 ping -c 1 -W 1 192.0.2.2 >/dev/null ||
    fail "setup: no forwarding before the table"

"$NT" -N $hs host $br 8888 10.100.0.2/32 || fail "apply host table"
listing=$(in_ns $hs nft list table inet piad) || fail "no table inet piad"
echo "$listing" | grep -q "iifname \"$br\" oifname != \"$br\" counter name \"fwd_drop\" drop" ||
    fail "forward drop rule missing: $listing"
echo "$listing" | grep -q 'ip saddr 10.100.0.2 tcp dport 8888 accept' ||
    fail "proxy rule missing: $listing"
nft list tables 2>/dev/null | grep -q "inet piad" &&
    fail "the table went to the test's own netns"

# Forward from the bridge: dropped and counted.
f0=$(counter $hs fwd_drop)
in_ns $c1 ping -c 2 -i 0.2 -W 1 192.0.2.2 >/dev/null &&
    fail "bridge traffic forwarded to the uplink"
f1=$(counter $hs fwd_drop)
[ "$f1" -ge $((f0 + 2)) ] || fail "fwd_drop did not count ($f0 -> $f1)"
note "forward from the bridge dropped, fwd_drop $f0 -> $f1"

# The proxy port: allowed source in, others dropped and counted.
in_ns $hs socat TCP-LISTEN:8888,bind=10.100.0.1,reuseaddr,fork EXEC:"echo ok" &
on_exit "kill $!"
wait_for 30 in_ns $hs ss -ltn "sport = :8888" | grep -q LISTEN
got=$(in_ns $c1 socat -T 2 - TCP:10.100.0.1:8888,connect-timeout=2 </dev/null)
assert_eq "$got" ok "allowed source through the proxy port"
d0=$(counter $hs in_drop)
in_ns $c2 socat -T 1 - TCP:10.100.0.1:8888,connect-timeout=1 </dev/null \
    >/dev/null 2>&1 && fail "a source not allowed reached the proxy port"
d1=$(counter $hs in_drop)
[ "$d1" -gt "$d0" ] || fail "in_drop did not count ($d0 -> $d1)"
in_ns $c2 ping -c 1 -W 1 10.100.0.1 >/dev/null || fail "ICMP not accepted"
note "proxy port: allowed source ok, other dropped, in_drop $d0 -> $d1"

# Atomic re-apply. Control first: without our table the probes arrive.
"$NT" -N $hs remove || fail "remove"
tmp=$(mktemp -d); on_exit "rm -rf '$tmp'"
probe() {	# MS -> datagrams that reached the sink
	in_ns $hs "$NT" sink 9999 $(($1 + 700)) >"$tmp/sink" &
	local sp=$!
	wait_for 30 grep -q ready "$tmp/sink" || fail "sink did not start"
	in_ns $c2 "$NT" flood 10.100.0.1 9999 "$1" >"$tmp/flood"
	wait $sp
	tail -n 1 "$tmp/sink"
}
got=$(probe 300)
[ "$got" -gt 0 ] || fail "control: probes do not arrive without the table"
note "control without table: $got probes arrived"

"$NT" -N $hs host $br 8888 10.100.0.2/32 || fail "re-apply host table"
d0=$(counter $hs in_drop)
in_ns $hs "$NT" sink 9999 2500 >"$tmp/sink" &
sp=$!
wait_for 30 grep -q ready "$tmp/sink" || fail "sink did not start"
in_ns $c2 "$NT" flood 10.100.0.1 9999 1500 >"$tmp/flood" &
fp=$!
# Re-apply for as long as the flood lasts.
applies=0
while kill -0 $fp 2>/dev/null; do
	"$NT" -N $hs -r 10 host $br 8888 10.100.0.2/32 ||
	    fail "repeated re-apply"
	applies=$((applies + 10))
done
wait $fp
wait $sp
sent=$(cat "$tmp/flood")
got=$(tail -n 1 "$tmp/sink")
d1=$(counter $hs in_drop)
assert_eq "$got" 0 "forbidden probes accepted during $applies re-applies"
[ "$sent" -gt 100 ] || fail "flood sent only $sent probes"
[ "$d1" -gt "$d0" ] || fail "in_drop did not keep counting ($d0 -> $d1)"
[ "$applies" -ge 20 ] || fail "only $applies re-applies during the flood"
note "$applies re-applies under a flood of $sent probes: 0 through, in_drop $d0 -> $d1"

other_after=$(in_ns $hs nft list table inet other | grep -v packets) ||
    fail "the foreign table is gone"
assert_eq "$other_after" "$other_before" "foreign table after applies"
"$NT" -N $hs remove || fail "remove"
assert_eq "$("$NT" -N $hs present)" no "table after remove"
in_ns $hs nft list table inet other >/dev/null ||
    fail "the foreign table did not survive removal"
note "foreign table untouched"

# ----------------------------------------------------------------- VPN ---
v=${T}v c=${T}c p=${T}p wg=w$T
for n in $v $c $p; do mk_netns $n; done
ip -n $v link add eth0 type veth peer name eth0 netns $c
ip -n $v addr add 10.100.0.2/24 dev eth0 && ip -n $v link set eth0 up
ip -n $c addr add 10.100.0.10/24 dev eth0 && ip -n $c link set eth0 up
ip -n $c route add default via 10.100.0.2
# A veth stands in for the WireGuard interface: same rules, by name.
ip -n $v link add $wg type veth peer name eth0 netns $p
ip -n $v addr add 198.51.100.2/24 dev $wg && ip -n $v link set $wg up
ip -n $p addr add 198.51.100.1/24 dev eth0 && ip -n $p link set eth0 up
ip -n $p route add 10.100.0.0/24 via 198.51.100.2
ip -n $v route add default via 198.51.100.1 dev $wg
ip -n $v route add 192.0.2.0/24 via 10.100.0.10 dev eth0
in_ns $v sysctl -qw net.ipv4.ip_forward=1

"$NT" -N $v vpn eth0 $wg 10.100.0.0/24 mss dnat 51413 10.100.0.10 0 both ||
    fail "apply VPN table"
listing=$(in_ns $v nft list table inet piad) || fail "no VPN table"
for want in "tcp option maxseg size set rt mtu" \
    "iifname \"$wg\" tcp dport 51413 dnat ip to 10.100.0.10:51413" \
    "iifname \"$wg\" udp dport 51413 dnat ip to 10.100.0.10:51413" \
    "oifname \"$wg\" masquerade" "policy drop"; do
	echo "$listing" | grep -qF "$want" || fail "VPN table lacks: $want"
done

in_ns $p socat TCP-LISTEN:80,bind=198.51.100.1,reuseaddr,fork \
    SYSTEM:'echo $SOCAT_PEERADDR' &
on_exit "kill $!"
in_ns $c socat TCP-LISTEN:51413,reuseaddr,fork EXEC:"echo container" &
on_exit "kill $!"
wait_for 30 in_ns $p ss -ltn "sport = :80" | grep -q LISTEN
wait_for 30 in_ns $c ss -ltn "sport = :51413" | grep -q LISTEN

got=$(in_ns $c socat -T 2 - TCP:198.51.100.1:80,connect-timeout=2 </dev/null)
assert_eq "$got" 198.51.100.2 "source seen beyond the WG side (masquerade)"
got=$(in_ns $p socat -T 2 - TCP:198.51.100.2:51413,connect-timeout=2 </dev/null)
assert_eq "$got" container "forwarded port reaches the container (DNAT)"
note "masquerade and DNAT ok"

f0=$(counter $v fwd_drop)
in_ns $p socat -T 1 - TCP:10.100.0.10:51413,connect-timeout=1 </dev/null \
    >/dev/null 2>&1 && fail "direct forward from the WG side to the container"
f1=$(counter $v fwd_drop)
[ "$f1" -gt "$f0" ] || fail "VPN fwd_drop did not count ($f0 -> $f1)"

o0=$(counter $v out_drop)
in_ns $v ping -c 1 -W 1 10.100.0.10 >/dev/null || fail "VPN -> bridge subnet"
in_ns $v ping -c 2 -i 0.2 -W 1 192.0.2.9 >/dev/null 2>&1 &&
    fail "VPN netns sent to a non-bridge address through the bridge side"
o1=$(counter $v out_drop)
[ "$o1" -ge $((o0 + 2)) ] || fail "out_drop did not count ($o0 -> $o1)"
note "forward and output drops counted (fwd $f0 -> $f1, out $o0 -> $o1)"

if in_ns $v ip -6 addr show dev lo | grep -q '::1'; then
	s0=$(counter $v ip6_drop)
	in_ns $v ping -6 -c 1 -W 1 ::1 >/dev/null 2>&1 && fail "IPv6 not dropped"
	s1=$(counter $v ip6_drop)
	[ "$s1" -gt "$s0" ] || fail "ip6_drop did not count ($s0 -> $s1)"
	note "IPv6 dropped, ip6_drop $s0 -> $s1"
else
	note "no IPv6 on lo here: IPv6 drop not exercised"
fi
echo "PASS"
