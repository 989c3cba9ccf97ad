#!/bin/bash
# SPDX-License-Identifier: ISC
#
# piasim's tunnel side, with a real WireGuard client (wireguard-go + wg)
# in the world's host netns: addKey with a generated key, handshake and
# ping to server_vip, getSignature / bindPort through the tunnel only, the
# web host seeing the server's public IP, DNS on the server, the forwarded
# port reachable from the internet (TCP and UDP), and the tunnel-side
# fault knobs (unauthorized, busy, low-port, expire, evict-key,
# dead-server) plus binding expiry.
. "$top_srcdir/tests/lib/netns.sh"
. "$top_srcdir/tests/sim/testlib.sh"

P=$T
D=/tmp/piasim-$T
sim_up "$P" "$D" --bind-ttl 3
H="ip netns exec $P-host"
WG=${P}c

TOKEN=$(get_token "$P" "$D")
CN=$(server_field "$P" 0 cn)
IP=$(server_field "$P" 0 ip)
(umask 077; wg genkey > "$D/client.key")
PUB=$(wg pubkey < "$D/client.key")

note "addKey, then a WireGuard client through the tunnel"
r=$(add_key "$P" "$D" "$CN" "$IP" "$TOKEN" "$PUB")
a=$(body_of "$r")
VIP=$(printf '%s' "$a" | jq -r .server_vip)
PIP=$(printf '%s' "$a" | jq -r .peer_ip)
PIP=${PIP%/32}
SK=$(printf '%s' "$a" | jq -r .server_key)
SPORT=$(printf '%s' "$a" | jq -r .server_port)
DNS=$(printf '%s' "$a" | jq -r '.dns_servers[0]')
assert_eq "$(status_q "$P" '.servers[0].peers[0].public_key')" "$PUB" \
    "key registered on the server"

on_exit "$H ip link del $WG"
WG_PROCESS_FOREGROUND=1 $H wireguard-go "$WG" >/dev/null 2>&1 &
wait_for 30 test -S "/var/run/wireguard/$WG.sock" || fail "wireguard-go"
$H wg set "$WG" private-key "$D/client.key" peer "$SK" \
    endpoint "$IP:$SPORT" allowed-ips 0.0.0.0/0 persistent-keepalive 25 ||
    fail "wg set"
$H ip addr add "$PIP/32" dev "$WG"
$H ip link set "$WG" up
$H ip route add 203.0.113.128/25 dev "$WG"
$H ip route add 192.0.2.80/32 dev "$WG"
$H ping -c 1 -W 3 "$VIP" >/dev/null || fail "no ping to vip $VIP"
[ "$($H wg show "$WG" latest-handshakes | awk '{print $2}')" -gt 0 ] ||
    fail "no handshake"

note "the web host sees the server's public IP; DNS answers in the tunnel"
assert_eq "$($H curl -s --max-time 3 http://192.0.2.80/)" "$IP" \
    "source seen by the web host"
assert_eq "$(status_q "$P" .leaks.packets)" 0 "tunnel traffic is no leak"
assert_eq "$($H dig +short +time=2 +tries=1 @"$DNS" whoami.piasim.test)" \
    "$IP" "whoami.piasim.test"
assert_eq "$($H dig +short +tcp +time=2 +tries=1 @"$DNS" web.piasim.test)" \
    192.0.2.80 "web.piasim.test over TCP"
$H dig +time=2 +tries=1 @"$DNS" nope.piasim.test | grep -q 'status: NXDOMAIN' ||
    fail "NXDOMAIN in the zone"
$H dig +time=2 +tries=1 @"$DNS" example.com | grep -q 'status: SERVFAIL' ||
    fail "SERVFAIL outside the zone"

sig() {	# the getSignature reply through the tunnel
	host_curl "$P" "$D" --cacert "$D/pia-ca.crt" \
	    --resolve "$CN:19999:${2:-$VIP}" -G \
	    --data-urlencode "token=$1" "https://$CN:19999/getSignature"
}
bind() {
	host_curl "$P" "$D" --cacert "$D/pia-ca.crt" \
	    --resolve "$CN:19999:$VIP" -G --data-urlencode "payload=$1" \
	    --data-urlencode "signature=$2" "https://$CN:19999/bindPort"
}

note "getSignature: 401 outside the tunnel, a signed payload inside"
r=$(sig "$TOKEN" "$IP")
assert_eq "$(code_of "$r")" 401 "getSignature on the public IP"
assert_eq "$(body_of "$r")" "Unauthorized client" "outside message"
r=$(sig "$TOKEN")
assert_eq "$(code_of "$r")" 200 "getSignature code"
assert_eq "$(body_of "$r" | jq -r 'keys_unsorted | join(",")')" \
    "status,payload,signature" "getSignature keys"
PL=$(body_of "$r" | jq -r .payload)
SG=$(body_of "$r" | jq -r .signature)
J=$(printf '%s' "$PL" | base64 -d)
assert_eq "$(printf '%s' "$J" | jq -r 'keys_unsorted | join(",")')" \
    "token,port,expires_at" "payload keys"
assert_eq "$(printf '%s' "$J" | jq -r .token)" "$TOKEN" "payload token"
PORT=$(printf '%s' "$J" | jq -r .port)
[ "$PORT" -ge 10000 ] || fail "port $PORT < 10000"
printf '%s' "$J" | jq -e '.expires_at |
    test("^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\\.[0-9]{9}Z$")' \
    >/dev/null || fail "expires_at format: $J"

note "bindPort: scheduled, refreshed, forwarded from the internet"
r=$(bind "$PL" "$SG")
assert_eq "$(body_of "$r" | jq -c .)" \
    '{"status":"OK","message":"port scheduled for add"}' "first bind"
r=$(bind "$PL" "$SG")
assert_eq "$(body_of "$r" | jq -r .message)" "timer refreshed" "second bind"
r=$(bind "$PL" "x$SG")
assert_eq "$(code_of "$r")" 400 "bad signature refused"
$H "$PIASIM" echo --port "$PORT" &
on_exit "kill $!"
$H "$PIASIM" echo --udp --port "$PORT" &
on_exit "kill $!"
sleep 0.2
assert_eq "$("$PIASIM" probe --prefix "$P" "$IP" "$PORT" hello-tcp)" \
    hello-tcp "TCP echo through the forwarded port"
assert_eq "$("$PIASIM" probe --prefix "$P" --udp "$IP" "$PORT" hello-udp)" \
    hello-udp "UDP echo through the forwarded port"
assert_eq "$(status_q "$P" ".servers[0].ports[0].port")" "$PORT" \
    "status lists the port"

note "faults: unauthorized, busy, low-port"
"$PIASIM" fault --prefix "$P" unauthorized
r=$(sig "$TOKEN")
assert_eq "$(code_of "$r")" 401 "unauthorized"
"$PIASIM" fault --prefix "$P" clear
"$PIASIM" fault --prefix "$P" busy
r=$(bind "$PL" "$SG")
assert_eq "$(code_of "$r")" 409 "busy code"
assert_eq "$(body_of "$r" | jq -r .message)" \
    "Port $PORT is busy. Please use another server" "busy message"
"$PIASIM" fault --prefix "$P" clear
"$PIASIM" fault --prefix "$P" low-port
r=$(sig "$TOKEN")
LOW=$(body_of "$r" | jq -r .payload | base64 -d | jq .port)
[ "$LOW" -lt 1024 ] || fail "low-port gave $LOW"
"$PIASIM" fault --prefix "$P" clear

note "bindings expire unless refreshed (bind-ttl 3 s)"
no_ports() { [ "$(status_q "$P" '.servers[0].ports | length')" = 0 ]; }
wait_for 60 no_ports || fail "binding did not expire"
"$PIASIM" probe --prefix "$P" "$IP" "$PORT" x >/dev/null 2>&1 &&
    fail "port still forwarded after expiry"

note "expire: the clock jumps past expires_at"
r=$(bind "$PL" "$SG")
assert_eq "$(code_of "$r")" 200 "rebind before expire"
"$PIASIM" fault --prefix "$P" expire
r=$(bind "$PL" "$SG")
assert_eq "$(code_of "$r")" 400 "bind after expire"
assert_eq "$(body_of "$r" | jq -r .message)" "Payload expired" \
    "expired message"
[ "$(status_q "$P" .clock_offset_s)" -gt 0 ] || fail "clock not moved"
assert_eq "$(status_q "$P" '.servers[0].ports | length')" 0 \
    "bindings gone after expire"
"$PIASIM" fault --prefix "$P" clear

note "dead-server: no WireGuard, no HTTPS; back after clear"
"$PIASIM" fault --prefix "$P" dead-server "$CN"
$H ping -c 1 -W 1 "$VIP" >/dev/null && fail "dead server still pings"
$H curl -s --max-time 1 --cacert "$D/pia-ca.crt" --resolve "$CN:1337:$IP" \
    "https://$CN:1337/addKey" >/dev/null
assert_eq "$?" 28 "dead server: HTTPS times out"
assert_eq "$(status_q "$P" '.servers[0].dead')" true "status dead"
"$PIASIM" fault --prefix "$P" clear
wait_for 30 $H ping -c 1 -W 1 "$VIP" || fail "server not back after clear"

note "evict-key: the peer is dropped"
"$PIASIM" fault --prefix "$P" evict-key "$CN"
assert_eq "$(status_q "$P" '.servers[0].peers | length')" 0 "peers evicted"
$H ping -c 1 -W 1 "$VIP" >/dev/null && fail "evicted peer still pings"
assert_eq "$(status_q "$P" '.faults["evict-key"].hits')" 1 "evictions"
exit 0
