# SPDX-License-Identifier: ISC
# e2e 10: a service container's CONNECT to the proxy is refused; the host
# routes nothing from the bridge; the drop counters show it; no leak.
. "$top_srcdir/tests/lib/netns.sh"
. "$top_srcdir/tests/e2e/lib.sh"

e2e_up
drops() {	# TABLE RULE
	ctl metrics | awk -v t="$1" -v r="$2" \
	    '$1 ~ "^piad_firewall_drops_total" && index($1, "table=\"" t "\"") && index($1, "rule=\"" r "\"") { print $2 }'
}

in0=$(drops host in_drop)
if ip netns exec "$BOX" curl -s --max-time 2 -x http://10.100.0.1:8888 \
    https://www.privateinternetaccess.com/ >/dev/null 2>&1; then
	fail "a service container got through the proxy"
fi
in1=$(drops host in_drop)
[ "${in1:-0}" -gt "${in0:-0}" ] || fail "host in_drop did not count the refused CONNECT ($in0 -> $in1)"

# Route around the VPN netns through the host: nothing must pass, even
# with forwarding switched on in the host (the firewall, not the sysctl,
# is what stops it).
ip netns exec "$P-host" sysctl -qw net.ipv4.ip_forward=1
fw0=$(drops host fwd_drop)
ip -n "$BOX" route add 192.0.2.80/32 via 10.100.0.1 ||
	fail "cannot add the test route"
seen=$(ip netns exec "$BOX" curl -s --max-time 2 http://192.0.2.80/)
assert_eq "$seen" "" "answer through the host"
fw1=$(drops host fwd_drop)
[ "${fw1:-0}" -gt "${fw0:-0}" ] || fail "host fwd_drop did not count ($fw0 -> $fw1)"
ip -n "$BOX" route del 192.0.2.80/32
assert_eq "$(leaks)" 0 "leak counter"
