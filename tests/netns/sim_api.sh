#!/bin/bash
# SPDX-License-Identifier: ISC
#
# piasim's API side, driven with curl from the world's host netns as piad
# would: the generated config, the token service (three body encodings),
# the signed server list and its schema, addKey's format and key eviction,
# and the API fault knobs with their counters. Also the leak observer.
. "$top_srcdir/tests/lib/netns.sh"
. "$top_srcdir/tests/sim/testlib.sh"

P=$T
D=/tmp/piasim-$T
sim_up "$P" "$D"
U=$(sed -n 1p "$D/credentials")
PW=$(sed -n 2p "$D/credentials")
TOKEN_URL=https://www.privateinternetaccess.com/api/client/v2/token
LIST_URL=https://serverlist.piaservers.net/vpninfo/servers/v6

note "config points piad at the simulation"
assert_eq "$(stat -c %a "$D/credentials")" 600 "credentials mode"
assert_eq "$(jq -r '.pia.resolve["www.privateinternetaccess.com"]' \
    "$D/piad.json")" 192.0.2.10 "pia.resolve www"
assert_eq "$(jq -r '.pia.resolve["serverlist.piaservers.net"]' \
    "$D/piad.json")" 192.0.2.11 "pia.resolve serverlist"
for k in ca_file api_ca_file serverlist_pubkey_file; do
	[ -s "$(jq -r ".pia.$k" "$D/piad.json")" ] || fail "pia.$k missing"
done
assert_eq "$(jq -r .credentials_file "$D/piad.json")" "$D/credentials" \
    "credentials_file"

if [ -x "$top_builddir/piad" ]; then
	"$top_builddir/piad" -n -c "$D/piad.json" >/dev/null 2>&1 ||
	    fail "piad -n rejects the generated config: $("$top_builddir/piad" \
	    -n -c "$D/piad.json" 2>&1)"
fi

note "token: urlencoded, multipart and JSON bodies"
tok() { host_curl "$P" "$D" --cacert "$D/api-ca.crt" "$@" "$TOKEN_URL"; }
r=$(tok --data-urlencode "username=$U" --data-urlencode "password=$PW")
assert_eq "$(code_of "$r")" 200 "urlencoded token code"
body_of "$r" | jq -e '.token | test("^[0-9a-f]{64}$")' >/dev/null ||
    fail "urlencoded token body: $r"
r=$(tok -F "username=$U" -F "password=$PW")
assert_eq "$(code_of "$r")" 200 "multipart token code"
r=$(tok -H 'Content-Type: application/json' \
    -d "{\"username\":\"$U\",\"password\":\"$PW\"}")
assert_eq "$(code_of "$r")" 200 "JSON token code"
assert_eq "$(body_of "$r" | jq -r 'keys | join(",")')" token "token keys"
r=$(tok --data-urlencode "username=$U" --data-urlencode "password=wrong")
assert_eq "$(code_of "$r")" 401 "bad password code"
r=$(tok --data-urlencode "username=$U")
assert_eq "$(code_of "$r")" 400 "missing password code"
assert_eq "$(body_of "$r" | jq -r .message)" "username or password missing" \
    "missing password message"
r=$(host_curl "$P" "$D" --cacert "$D/api-ca.crt" "$TOKEN_URL")
assert_eq "$(code_of "$r")" 405 "GET token code"
# The API hosts use the "public" CA, not the PIA CA.
ip netns exec "$P-host" curl -s --max-time 5 --cacert "$D/pia-ca.crt" \
    --resolve www.privateinternetaccess.com:443:192.0.2.10 \
    -d x=y "$TOKEN_URL" >/dev/null && fail "token host accepted PIA CA"

note "server list: JSON line, blank line, RSA-SHA256 signature"
r=$(host_curl "$P" "$D" --cacert "$D/api-ca.crt" "$LIST_URL")
assert_eq "$(code_of "$r")" 200 "list code"
body_of "$r" > "$D/list.txt"
[ "$(wc -c < "$D/list.txt")" -ge 1000 ] || fail "list shorter than 1000 B"
assert_eq "$(sed -n 2p "$D/list.txt")" "" "blank second line"
head -n 1 "$D/list.txt" | tr -d '\n' > "$D/list.json"
sed -n 3p "$D/list.txt" | base64 -d > "$D/list.sig" || fail "sig not b64"
openssl dgst -sha256 -verify "$D/serverlist-pubkey.pem" \
    -signature "$D/list.sig" "$D/list.json" >/dev/null ||
    fail "list signature does not verify"
L="$D/list.json"
assert_eq "$(jq -c .groups.wg "$L")" '[{"name":"wireguard","ports":[1337]}]' \
    "wg group"
assert_eq "$(jq -c .groups.meta "$L")" '[{"name":"meta","ports":[443,8080]}]' \
    "meta group"
assert_eq "$(jq '[.regions[] | select(.port_forward and (.offline|not))] |
    length' "$L")" 2 "live PF regions"
assert_eq "$(jq '[.regions[] | select((.port_forward|not) and
    (.offline|not))] | length' "$L")" 1 "live non-PF regions"
[ "$(jq '[.regions[] | select(.offline)] | length' "$L")" -ge 1 ] ||
    fail "no offline region"
assert_eq "$(jq -r '.regions[0] | [.id, .name, .country, .auto_region,
    .geo, (.dns|type), (.servers.meta[0].ip|type),
    (.servers.wg[0].cn|type)] | join(",")' "$L")" \
    "swiss,Switzerland,CH,true,false,string,string,string" "region schema"

note "addKey: PIA's pretty format, peer_ip with and without /32"
TOKEN=$(get_token "$P" "$D")
K1=$(wg genkey | wg pubkey)
CN0=$(server_field "$P" 0 cn)
IP0=$(server_field "$P" 0 ip)
r=$(add_key "$P" "$D" "$CN0" "$IP0" "$TOKEN" "$K1")
assert_eq "$(code_of "$r")" 200 "addKey code"
a=$(body_of "$r")
assert_eq "$(printf '%s\n' "$a" | sed -n 2p)" '    "status": "OK",' \
    "addKey pretty-printed"
assert_eq "$(printf '%s' "$a" | jq -r 'keys_unsorted | join(",")')" \
    "status,server_key,server_port,server_ip,server_vip,peer_ip,peer_pubkey,dns_servers" \
    "addKey keys"
assert_eq "$(printf '%s' "$a" | jq -r .peer_pubkey)" "$K1" "peer_pubkey"
assert_eq "$(printf '%s' "$a" | jq -r .server_key | base64 -d | wc -c)" 32 \
    "server_key length"
assert_eq "$(printf '%s' "$a" | jq -r .server_ip)" "$IP0" "server_ip"
printf '%s' "$a" | jq -e '.peer_ip | endswith("/32")' >/dev/null ||
    fail "server 0 peer_ip should carry /32"
CN1=$(server_field "$P" 1 cn)
IP1=$(server_field "$P" 1 ip)
r=$(add_key "$P" "$D" "$CN1" "$IP1" "$TOKEN" "$(wg genkey | wg pubkey)")
body_of "$r" | jq -e '.peer_ip | test("^[0-9.]+$")' >/dev/null ||
    fail "server 1 peer_ip should have no /32: $r"
# TLS is checked against the cn: another name fails.
ip netns exec "$P-host" curl -s --max-time 5 --cacert "$D/pia-ca.crt" \
    --resolve "$CN1:1337:$IP0" "https://$CN1:1337/addKey" >/dev/null &&
    fail "server 0 answered for the name of server 1"

note "addKey: a second key of the same token evicts the first"
K2=$(wg genkey | wg pubkey)
r=$(add_key "$P" "$D" "$CN0" "$IP0" "$TOKEN" "$K2")
assert_eq "$(body_of "$r" | jq -r .status)" OK "second addKey"
assert_eq "$(status_q "$P" '[.servers[0].peers[].public_key] | join(",")')" \
    "$K2" "registered keys after eviction"
r=$(add_key "$P" "$D" "$CN0" "$IP0" "0000" "$K2")
assert_eq "$(body_of "$r" | jq -c .)" \
    '{"status":"ERROR","message":"Login failed!"}' "addKey bad token"

note "faults: bad-credentials, rate-limit, login-failed"
"$PIASIM" fault --prefix "$P" bad-credentials || fail "fault bad-credentials"
r=$(tok --data-urlencode "username=$U" --data-urlencode "password=$PW")
assert_eq "$(code_of "$r")" 401 "bad-credentials code"
"$PIASIM" fault --prefix "$P" clear
"$PIASIM" fault --prefix "$P" rate-limit
r=$(tok --data-urlencode "username=$U" --data-urlencode "password=$PW")
assert_eq "$(code_of "$r")" 429 "rate-limit code"
assert_eq "$(body_of "$r")" \
    '{"status":"error","code":"too_many_attempts","message":"Try again later."}' \
    "rate-limit body"
"$PIASIM" fault --prefix "$P" login-failed
r=$(add_key "$P" "$D" "$CN0" "$IP0" "$TOKEN" "$K2")
assert_eq "$(body_of "$r" | jq -r .message)" "Login failed!" "login-failed"
assert_eq "$(status_q "$P" '.faults["rate-limit"] | [.active, .hits] |
    join(",")')" "true,1" "rate-limit counted"
assert_eq "$(status_q "$P" '.faults["login-failed"].hits')" 1 \
    "login-failed counted"
"$PIASIM" fault --prefix "$P" clear
r=$(tok --data-urlencode "username=$U" --data-urlencode "password=$PW")
assert_eq "$(code_of "$r")" 200 "token after clear"
"$PIASIM" fault --prefix "$P" login-failed "$CN1"
r=$(add_key "$P" "$D" "$CN0" "$IP0" "$TOKEN" "$K2")
assert_eq "$(body_of "$r" | jq -r .status)" OK "login-failed CN1 spares CN0"
r=$(add_key "$P" "$D" "$CN1" "$IP1" "$TOKEN" "$K2")
assert_eq "$(body_of "$r" | jq -r .message)" "Login failed!" \
    "login-failed CN1"
assert_eq "$(status_q "$P" '.faults["login-failed"].servers | join(",")')" \
    "$CN1" "login-failed servers in status"
"$PIASIM" fault --prefix "$P" login-failed nosuchcn 2>/dev/null &&
    fail "login-failed accepted an unknown cn"
"$PIASIM" fault --prefix "$P" clear

note "faults: http-5xx, latency, hang, bad-list-signature"
"$PIASIM" fault --prefix "$P" http-5xx serverlist 503
r=$(host_curl "$P" "$D" --cacert "$D/api-ca.crt" "$LIST_URL")
assert_eq "$(code_of "$r")" 503 "http-5xx serverlist"
r=$(add_key "$P" "$D" "$CN0" "$IP0" "$TOKEN" "$K2")
assert_eq "$(code_of "$r")" 200 "other endpoints unaffected by http-5xx"
"$PIASIM" fault --prefix "$P" clear
"$PIASIM" fault --prefix "$P" latency 400 token
t=$(ip netns exec "$P-host" curl -s -o /dev/null -w '%{time_total}' \
    --cacert "$D/api-ca.crt" --resolve www.privateinternetaccess.com:443:192.0.2.10 \
    -d "username=$U" -d "password=$PW" "$TOKEN_URL")
awk -v t="$t" 'BEGIN { exit !(t >= 0.4) }' || fail "latency: took only $t s"
"$PIASIM" fault --prefix "$P" hang addKey
ip netns exec "$P-host" curl -s --max-time 1 --cacert "$D/pia-ca.crt" \
    --resolve "$CN0:1337:$IP0" "https://$CN0:1337/addKey?pt=x&pubkey=y"
assert_eq "$?" 28 "hang: curl timed out"
assert_eq "$(status_q "$P" '.faults.hang.hits')" 1 "hang counted"
"$PIASIM" fault --prefix "$P" bad-list-signature
host_curl "$P" "$D" --cacert "$D/api-ca.crt" "$LIST_URL" | sed '$d' \
    > "$D/list2.txt"
head -n 1 "$D/list2.txt" | tr -d '\n' > "$D/list2.json"
sed -n 3p "$D/list2.txt" | base64 -d > "$D/list2.sig"
cmp -s "$D/list.json" "$D/list2.json" || fail "list JSON changed"
openssl dgst -sha256 -verify "$D/serverlist-pubkey.pem" \
    -signature "$D/list2.sig" "$D/list2.json" >/dev/null 2>&1 &&
    fail "bad-list-signature: signature still verifies"
"$PIASIM" fault --prefix "$P" clear
"$PIASIM" fault --prefix "$P" no-such-knob 2>"$D/err" && fail "unknown knob"
assert_eq "$(cat "$D/err")" "piasim: fault no-such-knob: unknown fault" \
    "unknown knob message"

note "meta servers answer TCP 443; latency per region"
META=$(jq -r '.regions[] | select(.id == "nl_amsterdam") | .servers.meta[0].ip' \
    "$L")
connect_ms() {
	local t0 t1
	t0=$(date +%s%N)
	ip netns exec "$P-host" timeout 5 bash -c "exec 3<>/dev/tcp/$1/443" ||
	    return 1
	t1=$(date +%s%N)
	echo $(( (t1 - t0) / 1000000 ))
}
connect_ms "$META" >/dev/null || fail "meta 443 refused"
"$PIASIM" fault --prefix "$P" latency 1000 meta:nl_amsterdam
ms=$(connect_ms "$META") || fail "slow meta refused"
[ "$ms" -ge 800 ] || fail "meta latency: connect took only $ms ms"
"$PIASIM" fault --prefix "$P" clear
[ "$(status_q "$P" .requests.meta)" -ge 2 ] || fail "meta not counted"

note "request counters"
assert_eq "$(status_q "$P" .requests.serverlist)" 3 "serverlist requests"
[ "$(status_q "$P" '.servers[0].requests.addKey')" -ge 5 ] ||
    fail "addKey requests not counted"

note "leak observer"
assert_eq "$(status_q "$P" .leaks.packets)" 0 "no leak from API traffic"
ip netns exec "$P-host" curl -s --max-time 3 http://192.0.2.80/ > "$D/web"
assert_eq "$(cat "$D/web")" 198.51.100.2 "web host saw the uplink"
[ "$(status_q "$P" .leaks.packets)" -gt 0 ] || fail "leak not counted"
assert_eq "$(status_q "$P" '.leaks.destinations | join(",")')" 192.0.2.80 \
    "leak destination"
# Any other source from the host's side is a leak too, even to a server.
ip -n "$P-host" addr add 198.51.100.3/32 dev eth0
ip netns exec "$P-host" ping -c 1 -W 1 -I 198.51.100.3 "$IP0" >/dev/null
assert_eq "$(status_q "$P" '.leaks.destinations | sort | join(",")')" \
    "192.0.2.80,$IP0" "leak from another source"
exit 0
