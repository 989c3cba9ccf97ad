# SPDX-License-Identifier: ISC
#
# Userspace WireGuard through piad's backend (wg-tool drives it):
# - two "host" netns joined by a veth, each with a "VPN" netns; the device
#   is created in the host netns and moved into the VPN netns, configured
#   only through the backend; a ping crosses the tunnel;
# - the handshake time and counters read back through the backend are
#   non-zero and the byte counters grow with more traffic;
# - the UDP socket stays in the host netns (ss in each netns);
# - the tool exits, wireguard-go keeps running, and a new run adopts it
#   (same key, same peer, no second process) and reads it.
. "$top_srcdir/tests/lib/netns.sh"
command -v wireguard-go >/dev/null || skip "needs wireguard-go"
command -v ss >/dev/null || skip "needs ss"
WGT=$top_builddir/tests/netns/wg-tool
[ -x "$WGT" ] || fail "missing $WGT (make check builds it)"

hA=${T}hA vA=${T}vA hB=${T}hB vB=${T}vB
wA=w${T}a wB=w${T}b
for n in $hA $vA $hB $vB; do mk_netns $n; done
# Runs before the netns removal (cleanups run last first): deleting the TUN
# device stops wireguard-go cleanly and removes its socket.
on_exit "in_ns $hA '$WGT' -b userspace -N $vA $wA destroy; rm -f /var/run/wireguard/$wA.sock"
on_exit "in_ns $hB '$WGT' -b userspace -N $vB $wB destroy; rm -f /var/run/wireguard/$wB.sock"

ip -n $hA link add veth0 type veth peer name veth0 netns $hB || fail "veth"
ip -n $hA addr add 192.0.2.1/24 dev veth0
ip -n $hB addr add 192.0.2.2/24 dev veth0
ip -n $hA link set veth0 up
ip -n $hB link set veth0 up

tmp=$(mktemp -d); on_exit "rm -rf '$tmp'"
"$WGT" genkey >"$tmp/a.key" && "$WGT" genkey >"$tmp/b.key" || fail "genkey"
pa=$("$WGT" pubkey <"$tmp/a.key") && pb=$("$WGT" pubkey <"$tmp/b.key") ||
    fail "pubkey"

in_ns $hA "$WGT" -b userspace -N $vA $wA set private-key "$tmp/a.key" \
    listen-port 51820 replace-peers peer "$pb" endpoint 192.0.2.2:51820 \
    replace-allowed-ips allowed-ip 10.100.0.2/32 ||
    fail "configure $wA through the backend"
# Side B: backend "auto", and ensure() without blocking (-w 0: the tool
# polls like piad's timer would).
in_ns $hB "$WGT" -w 0 -N $vB $wB set private-key "$tmp/b.key" \
    listen-port 51820 replace-peers peer "$pa" endpoint 192.0.2.1:51820 \
    replace-allowed-ips allowed-ip 10.100.0.1/32 2>"$tmp/auto.log" ||
    fail "configure $wB through the backend: $(cat "$tmp/auto.log")"
if ip -n $hB link add "k$T" type wireguard 2>/dev/null; then
	ip -n $hB link del "k$T"
	grep -q "$wB: WireGuard backend: kernel" "$tmp/auto.log" ||
	    fail "auto did not pick the kernel: $(cat "$tmp/auto.log")"
else
	grep -q "$wB: kernel WireGuard unavailable (Operation not supported), backend: userspace (wireguard-go)" "$tmp/auto.log" ||
	    fail "auto did not say it fell back: $(cat "$tmp/auto.log")"
	polls=$(sed -n 's/^ensure polls //p' "$tmp/auto.log")
	[ "${polls:-0}" -gt 0 ] ||
	    fail "non-blocking ensure did not return EINPROGRESS first"
	note "auto fell back to userspace; non-blocking ensure polled $polls times"
fi

# The device is in the VPN netns, not in the host netns.
ip -n $vA link show $wA >/dev/null 2>&1 || fail "$wA is not in $vA"
ip -n $hA link show $wA >/dev/null 2>&1 && fail "$wA is still in $hA"

ip -n $vA addr add 10.100.0.1/32 dev $wA
ip -n $vA link set $wA up
ip -n $vA route add 10.100.0.2/32 dev $wA
ip -n $vB addr add 10.100.0.2/32 dev $wB
ip -n $vB link set $wB up
ip -n $vB route add 10.100.0.1/32 dev $wB

in_ns $vA ping -c 3 -i 0.2 -W 2 10.100.0.2 >/dev/null ||
    fail "no ping through the tunnel"
note "ping through the userspace tunnel ok"

# Status through the backend.
show() { in_ns $hA "$WGT" -b userspace -N $vA $wA show; }
field() { awk -v k="$1" '$1 == k { $1 = ""; sub(/^ /, ""); print; exit }'; }
s1=$(show) || fail "show"
assert_eq "$(echo "$s1" | field backend)" userspace "backend"
assert_eq "$(echo "$s1" | field public-key)" "$pa" "our public key"
assert_eq "$(echo "$s1" | field peer)" "$pb" "peer key"
assert_eq "$(echo "$s1" | field endpoint)" 192.0.2.2:51820 "peer endpoint"
assert_eq "$(echo "$s1" | field allowed-ip)" 10.100.0.2/32 "allowed ip"
hs=$(echo "$s1" | field latest-handshake)
[ "${hs:-0}" -gt 0 ] || fail "no handshake time read back ($hs)"
now=$(date +%s)
[ $((now - hs)) -lt 60 ] || fail "handshake time $hs is not recent ($now)"
read -r rx1 tx1 <<<"$(echo "$s1" | field transfer)"
[ "${rx1:-0}" -gt 0 ] && [ "${tx1:-0}" -gt 0 ] ||
    fail "counters not read back (rx $rx1 tx $tx1)"
in_ns $vA ping -c 3 -i 0.2 -s 1000 -W 2 10.100.0.2 >/dev/null ||
    fail "second ping"
read -r rx2 tx2 <<<"$(show | field transfer)"
[ "$rx2" -gt "$rx1" ] && [ "$tx2" -gt "$tx1" ] ||
    fail "counters did not grow (rx $rx1 -> $rx2, tx $tx1 -> $tx2)"
note "handshake $hs, rx $rx1 -> $rx2, tx $tx1 -> $tx2"

# The UDP socket stayed in the host netns.
in_ns $hA ss -unlp | grep -q ':51820 .*wireguard-go' ||
    fail "no wireguard-go UDP socket on 51820 in the host netns"
in_ns $vA ss -unlp | grep -q wireguard-go &&
    fail "wireguard-go has a UDP socket in the VPN netns"
note "UDP socket in the host netns only"

# Adoption: the tool has exited, wireguard-go still runs; a new run adopts.
pids() { pgrep -f "^wireguard-go $wA\$" | sort; }
p1=$(pids)
[ -n "$p1" ] || fail "wireguard-go for $wA is not running after the tool exited"
s2=$(in_ns $hA "$WGT" -N $vA $wA show 2>"$tmp/adopt.log") ||
    fail "adopting run failed: $(cat "$tmp/adopt.log")"
grep -q "adopting the running userspace WireGuard" "$tmp/adopt.log" ||
    fail "auto did not say it adopted: $(cat "$tmp/adopt.log")"
assert_eq "$(echo "$s2" | field backend)" userspace "adopted backend"
assert_eq "$(echo "$s2" | field public-key)" "$pa" "adopted public key"
assert_eq "$(echo "$s2" | field peer)" "$pb" "adopted peer"
assert_eq "$(pids)" "$p1" "wireguard-go processes after adoption"
in_ns $vA ping -c 1 -W 2 10.100.0.2 >/dev/null || fail "tunnel after adopt"
note "adopted running wireguard-go (pid $p1)"

# A large config (1000 allowed IPs) goes through and reads back whole.
args=()
for i in $(seq 0 999); do args+=(allowed-ip "10.$((i / 250)).$((i % 250)).0/24"); done
in_ns $hA "$WGT" -N $vA $wA set peer "$pb" replace-allowed-ips \
    allowed-ip 10.100.0.2/32 "${args[@]}" 2>/dev/null || fail "large config"
n=$(in_ns $hA "$WGT" -N $vA $wA show 2>/dev/null | grep -c '^allowed-ip ')
assert_eq "$n" 1001 "allowed IPs read back"

# A program that exits at once, and one that never answers: both reported,
# neither left running.
x=x$T
out=$(in_ns $hA "$WGT" -b userspace -p false $x ensure 2>&1) &&
    fail "ensure with a failing program succeeded"
echo "$out" | grep -q "$x: false exited with status 1" ||
    fail "no exit status reported: $out"
echo "$out" | grep -q "$x: false did not come up" || fail "message: $out"
printf '#!/bin/sh\nexec sleep 30\n' >"$tmp/mute" && chmod +x "$tmp/mute"
out=$(in_ns $hA "$WGT" -b userspace -w 300 -p "$tmp/mute" $x ensure 2>&1) &&
    fail "ensure with a mute program succeeded"
echo "$out" | grep -q "$x: $tmp/mute has no UAPI socket after 300 ms, stopping it" ||
    fail "no timeout reported: $out"
pid=$(echo "$out" | sed -n 's/.*started .*(pid \([0-9]*\)).*/\1/p')
[ -n "$pid" ] || fail "no pid logged: $out"
[ -e /proc/$pid ] && fail "mute program (pid $pid) left running"
note "failing and mute programs reported and stopped"

# destroy stops it and removes the device and socket.
# Without -b: a teardown after a restart, before any ensure(), finds it.
in_ns $hA "$WGT" -N $vA $wA destroy || fail "destroy"
wait_for 20 test ! -e /var/run/wireguard/$wA.sock ||
    fail "socket still there after destroy"
ip -n $vA link show $wA >/dev/null 2>&1 && fail "$wA still exists"
wait_for 20 test -z "$(pids)" || fail "wireguard-go still runs after destroy"
echo "PASS"
