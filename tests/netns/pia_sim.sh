#!/bin/bash
# SPDX-License-Identifier: ISC
#
# piad's PIA API code (pia/api.h, through tests/pia/pia_call) against
# piasim: token, the signed server list, addKey, and getSignature +
# bindPort through a real WireGuard tunnel, each with the error kind and
# message a user would see for piasim's fault knobs. Complements
# test_pia_api (loopback fixtures) with the simulator's formats.
. "$top_srcdir/tests/lib/netns.sh"
. "$top_srcdir/tests/sim/testlib.sh"

CALL=$top_builddir/tests/pia/pia_call
[ -x "$CALL" ] || skip "pia_call not built"
P=$T
D=/tmp/piasim-$T
sim_up "$P" "$D" --bind-ttl 3
H="ip netns exec $P-host"
WG=${P}p
TOKEN_URL=https://www.privateinternetaccess.com/api/client/v2/token
LIST_URL=https://serverlist.piaservers.net/vpninfo/servers/v6

call() { $H "$CALL" "$@" 2>&1; }
# expect_prefix OUTPUT PREFIX WHAT
expect_prefix() {
	case "$1" in "$2"*) ;; *) fail "$3: expected '$2...', got '$1'";; esac
}
field() { printf '%s\n' "$1" | tr ' ' '\n' | sed -n "s/^$2=//p"; }

note "token: ok, bad credentials, rate limited"
assert_eq "$(call token "$TOKEN_URL" "$D/api-ca.crt" 192.0.2.10 \
    "$D/credentials")" "token ok token_len=64" "token"
(umask 077; { sed -n 1p "$D/credentials"; echo wrong; } > "$D/badcred")
assert_eq "$(call token "$TOKEN_URL" "$D/api-ca.crt" 192.0.2.10 \
    "$D/badcred")" "token bad_credentials: token: bad credentials (HTTP 401)" \
    "wrong password"
"$PIASIM" fault --prefix "$P" rate-limit
expect_prefix "$(call token "$TOKEN_URL" "$D/api-ca.crt" 192.0.2.10 \
    "$D/credentials")" "token rate_limited: token: rate limited, retry in " \
    "rate limit"
"$PIASIM" fault --prefix "$P" clear
expect_prefix "$(call token "$TOKEN_URL" "$D/pia-ca.crt" 192.0.2.10 \
    "$D/credentials")" "token tls_verify: " "token host with the PIA CA"

note "server list: verified and parsed; bad signature and 503 refused"
n=$(host_curl "$P" "$D" --cacert "$D/api-ca.crt" "$LIST_URL" | head -n 1 |
    jq '.regions | length')
assert_eq "$(call list "$LIST_URL" "$D/api-ca.crt" 192.0.2.11 \
    "$D/serverlist-pubkey.pem")" "list ok regions=$n wg_port=1337 skipped=0" \
    "server list"
"$PIASIM" fault --prefix "$P" bad-list-signature
assert_eq "$(call list "$LIST_URL" "$D/api-ca.crt" 192.0.2.11 \
    "$D/serverlist-pubkey.pem")" "list protocol: server list: bad signature" \
    "bad list signature"
"$PIASIM" fault --prefix "$P" clear
"$PIASIM" fault --prefix "$P" http-5xx serverlist 503
assert_eq "$(call list "$LIST_URL" "$D/api-ca.crt" 192.0.2.11 \
    "$D/serverlist-pubkey.pem")" "list http_status: server list: HTTP 503" \
    "list 503"
"$PIASIM" fault --prefix "$P" clear

note "addKey: registered; Login failed!; wrong TLS name"
TOKEN=$(get_token "$P" "$D")
(umask 077; printf '%s\n' "$TOKEN" > "$D/token")
CN=$(server_field "$P" 0 cn)
IP=$(server_field "$P" 0 ip)
(umask 077; wg genkey > "$D/client.key")
PUB=$(wg pubkey < "$D/client.key")
a=$(call addkey "$CN" "$IP" "$D/pia-ca.crt" "$D/token" "$PUB")
expect_prefix "$a" "addKey ok " "addKey"
assert_eq "$(status_q "$P" '.servers[0].peers[0].public_key')" "$PUB" \
    "key registered on the server"
"$PIASIM" fault --prefix "$P" login-failed
assert_eq "$(call addkey "$CN" "$IP" "$D/pia-ca.crt" "$D/token" "$PUB")" \
    "addKey api: addKey: Login failed!" "login failed"
"$PIASIM" fault --prefix "$P" clear
expect_prefix "$(call addkey "not$CN" "$IP" "$D/pia-ca.crt" "$D/token" \
    "$PUB")" "addKey tls_verify: " "wrong server name"

note "getSignature, then bindPort twice, through the tunnel (one session)"
VIP=$(field "$a" server_vip)
on_exit "$H ip link del $WG"
WG_PROCESS_FOREGROUND=1 $H wireguard-go "$WG" >/dev/null 2>&1 &
wait_for 30 test -S "/var/run/wireguard/$WG.sock" || fail "wireguard-go"
$H wg set "$WG" private-key "$D/client.key" peer "$(field "$a" server_key)" \
    endpoint "$(field "$a" server_ip):$(field "$a" server_port)" \
    allowed-ips 0.0.0.0/0 || fail "wg set"
$H ip addr add "$(field "$a" peer_ip)/32" dev "$WG"
$H ip link set "$WG" up
$H ip route add "$VIP/32" dev "$WG"
wait_for 30 $H ping -c 1 -W 1 "$VIP" || fail "no ping to vip $VIP"
out=$(call pf "$CN" "$VIP" "$D/pia-ca.crt" "$D/token")
expect_prefix "$out" "getSignature ok port=" "getSignature"
assert_eq "$(printf '%s\n' "$out" | sed 1d)" "bindPort ok message=port scheduled for add
bindPort ok message=timer refreshed" "bindPort twice"

note "outside the tunnel: Unauthorized client"
# piasim answers in text, PIA in JSON (api kind): both name the reason.
out=$(call pf "$CN" "$IP" "$D/pia-ca.crt" "$D/token")
case "$out" in
"getSignature api: getSignature: Unauthorized client (HTTP 401)") ;;
"getSignature http_status: getSignature: HTTP 401: Unauthorized client") ;;
*) fail "getSignature on the public IP: $out" ;;
esac

note "faults: busy, low port"
"$PIASIM" fault --prefix "$P" busy
out=$(call pf "$CN" "$VIP" "$D/pia-ca.crt" "$D/token")
expect_prefix "$(printf '%s\n' "$out" | sed -n 2p)" \
    "bindPort port_busy: bindPort: Port " "busy"
"$PIASIM" fault --prefix "$P" clear
"$PIASIM" fault --prefix "$P" low-port
out=$(call pf "$CN" "$VIP" "$D/pia-ca.crt" "$D/token")
expect_prefix "$out" "getSignature protocol: getSignature: payload: port " \
    "low port"
case "$out" in *"is below 1024") ;; *) fail "low port: $out";; esac
"$PIASIM" fault --prefix "$P" clear
echo "ok"
