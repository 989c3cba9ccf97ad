# SPDX-License-Identifier: ISC
#
# Kernel WireGuard through piad's genetlink backend (wg-tool -b kernel),
# where the module exists: device created in the host netns and moved into
# the VPN netns, configured only through the backend, ping through it,
# handshake and counters read back, UDP socket left in the host netns,
# ensure() idempotent (same ifindex), a config too large for one netlink
# message (split by the backend) read back whole, destroy.
# Without the module (as on the machines this was written on) it SKIPs;
# message building and parsing are covered by tests/unit/test_wg_genl.
. "$top_srcdir/tests/lib/netns.sh"
WGT=$top_builddir/tests/netns/wg-tool
[ -x "$WGT" ] || fail "missing $WGT (make check builds it)"

hA=${T}hA vA=${T}vA hB=${T}hB vB=${T}vB
wA=w${T}a wB=w${T}b
mk_netns $hA
ip -n $hA link add "k$T" type wireguard 2>/dev/null ||
    skip "no WireGuard kernel module here (ip link add type wireguard" \
	"fails); genetlink messages are tested in tests/unit/test_wg_genl"
ip -n $hA link del "k$T"
for n in $vA $hB $vB; do mk_netns $n; done

ip -n $hA link add veth0 type veth peer name veth0 netns $hB || fail "veth"
ip -n $hA addr add 192.0.2.1/24 dev veth0
ip -n $hB addr add 192.0.2.2/24 dev veth0
ip -n $hA link set veth0 up
ip -n $hB link set veth0 up

tmp=$(mktemp -d); on_exit "rm -rf '$tmp'"
"$WGT" genkey >"$tmp/a.key" && "$WGT" genkey >"$tmp/b.key" || fail "genkey"
pa=$("$WGT" pubkey <"$tmp/a.key") && pb=$("$WGT" pubkey <"$tmp/b.key") ||
    fail "pubkey"

in_ns $hA "$WGT" -b kernel -N $vA $wA set private-key "$tmp/a.key" \
    listen-port 51820 replace-peers peer "$pb" endpoint 192.0.2.2:51820 \
    keepalive 25 replace-allowed-ips allowed-ip 10.100.0.2/32 ||
    fail "configure $wA"
in_ns $hB "$WGT" -b kernel -N $vB $wB set private-key "$tmp/b.key" \
    listen-port 51820 replace-peers peer "$pa" endpoint 192.0.2.1:51820 \
    replace-allowed-ips allowed-ip 10.100.0.1/32 || fail "configure $wB"
ip -n $vA link show $wA >/dev/null 2>&1 || fail "$wA is not in $vA"
ip -n $hA link show $wA >/dev/null 2>&1 && fail "$wA is still in $hA"
idx1=$(ip -n $vA -o link show $wA | cut -d: -f1)

ip -n $vA addr add 10.100.0.1/32 dev $wA && ip -n $vA link set $wA up
ip -n $vA route add 10.100.0.2/32 dev $wA
ip -n $vB addr add 10.100.0.2/32 dev $wB && ip -n $vB link set $wB up
ip -n $vB route add 10.100.0.1/32 dev $wB
in_ns $vA ping -c 3 -i 0.2 -W 2 10.100.0.2 >/dev/null ||
    fail "no ping through the kernel tunnel"

field() { awk -v k="$1" '$1 == k { $1 = ""; sub(/^ /, ""); print; exit }'; }
s=$(in_ns $hA "$WGT" -b kernel -N $vA $wA show) || fail "show"
assert_eq "$(echo "$s" | field backend)" kernel "backend"
assert_eq "$(echo "$s" | field public-key)" "$pa" "our public key"
assert_eq "$(echo "$s" | field peer)" "$pb" "peer"
assert_eq "$(echo "$s" | field keepalive)" 25 "keepalive"
hs=$(echo "$s" | field latest-handshake)
[ "${hs:-0}" -gt 0 ] || fail "no handshake time"
read -r rx tx <<<"$(echo "$s" | field transfer)"
[ "${rx:-0}" -gt 0 ] && [ "${tx:-0}" -gt 0 ] || fail "no counters"

in_ns $hA ss -unl | grep -q ':51820 ' || fail "no UDP socket in the host netns"
in_ns $vA ss -unl | grep -q ':51820 ' && fail "UDP socket in the VPN netns"

# ensure() again: same device.
in_ns $hA "$WGT" -b kernel -N $vA $wA ensure || fail "second ensure"
assert_eq "$(ip -n $vA -o link show $wA | cut -d: -f1)" "$idx1" "ifindex"

# 1000 allowed IPs do not fit one netlink message: split, read back whole.
args=()
for i in $(seq 0 999); do args+=(allowed-ip "10.$((i / 250)).$((i % 250)).0/24"); done
in_ns $hA "$WGT" -b kernel -N $vA $wA set peer "$pb" replace-allowed-ips \
    "${args[@]}" || fail "large config"
n=$(in_ns $hA "$WGT" -b kernel -N $vA $wA show | grep -c '^allowed-ip ')
assert_eq "$n" 1000 "allowed IPs read back"

in_ns $hA "$WGT" -b kernel -N $vA $wA destroy || fail "destroy"
ip -n $vA link show $wA >/dev/null 2>&1 && fail "$wA still exists"
echo "PASS"
