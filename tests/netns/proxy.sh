#!/bin/bash
# SPDX-License-Identifier: ISC
#
# The CONNECT proxy as a user of it sees it, with curl as the client:
# 100 MB each way intact through an allowed tunnel, a half-closed tunnel
# still carrying the answer back, every refusal with its status and its
# counter, the allowlist replaced while running, a service-container
# source refused even for an allowed target, and the connect timeout on a
# blackholed server.
. "$top_srcdir/tests/lib/netns.sh"
. "$top_srcdir/tests/netns/proxy-lib.sh"

setup_world
# Names outside pia.resolve go to evdns, which reads the resolv.conf that
# `ip netns exec` puts in place for the proxy's netns.
mkdir -p "/etc/netns/$NH"
on_exit "rm -rf '/etc/netns/$NH'"
echo "nameserver 198.51.100.2" >"/etc/netns/$NH/resolv.conf"
in_ns "$NW" "$PXPEER" dns 198.51.100.2:53 203.0.113.10 &
start_proxy p 8888 -c 1000 -H api.dns.test -H nx.dns.test
start_proxy c 8890 -B		# the buffered fallback path
P=http://10.100.0.1:8888
MB100=$((100 * 1024 * 1024))

# 100 MB down from the api host (by name, through pia.resolve) and 100 MB
# up to a server-list IP on 1337, at the same time.
"$PXPEER" gen $MB100 >"$D/up"
want=$("$PXPEER" gen $MB100 | sha256sum | cut -d' ' -f1)
in_ns "$NV" curl -sS -f -p -x $P "http://$API:443/$MB100" \
    -o "$D/down" &
dl=$!
up=$(in_ns "$NV" curl -sS -f -p -x $P -T "$D/up" \
    "http://203.0.113.20:1337/upload") || fail "upload through the proxy"
wait $dl || fail "download through the proxy"
assert_eq "$(sha256sum <"$D/down" | cut -d' ' -f1)" "$want" "download sha256"
assert_eq "$up" "$want" "sha256 the server computed of the upload"
rm -f "$D/up" "$D/down"

# The same through the buffered path, 20 MB each way.
MB20=$((20 * 1024 * 1024))
"$PXPEER" gen $MB20 >"$D/up"
want=$("$PXPEER" gen $MB20 | sha256sum | cut -d' ' -f1)
got=$(in_ns "$NV" curl -sS -f -p -x http://10.100.0.1:8890 \
    "http://$API:443/$MB20" | sha256sum | cut -d' ' -f1)
assert_eq "$got" "$want" "download sha256, buffered path"
up=$(in_ns "$NV" curl -sS -f -p -x http://10.100.0.1:8890 -T "$D/up" \
    "http://203.0.113.20:1337/upload") || fail "buffered upload"
assert_eq "$up" "$want" "upload sha256, buffered path"
rm -f "$D/up"

# A name only DNS knows, and one it does not.
assert_eq "$(in_ns "$NV" curl -sS -p -x $P "http://api.dns.test:443/7" |
    wc -c)" 7 "tunnel to a name resolved by evdns"
assert_eq "$(connect_code "$NV" -x $P "http://nx.dns.test:443/1")" 502 \
    "name that does not resolve"
grep -q "nx.dns.test:443: 502 (resolve: " "$D/p.log" ||
    fail "resolve failure not logged"

# Half-close: the server answers only after the client's EOF reached it.
in_ns "$NW" socat TCP-LISTEN:443,bind=203.0.113.22,reuseaddr,fork \
    EXEC:sha256sum 2>/dev/null &
wait_for 50 in_ns "$NW" bash -c 'exec 3<>/dev/tcp/203.0.113.22/443' ||
    fail "socat not up"
half=$(printf 'hello\n' | in_ns "$NV" socat -t 5 - \
    PROXY:10.100.0.1:203.0.113.22:443,proxyport=8888) ||
    fail "half-closed tunnel"
assert_eq "${half%% *}" "$(printf 'hello\n' | sha256sum | cut -d' ' -f1)" \
    "answer after half-close"
half=$(printf 'hello\n' | in_ns "$NV" socat -t 5 - \
    PROXY:10.100.0.1:203.0.113.22:443,proxyport=8890) ||
    fail "half-closed tunnel, buffered path"
assert_eq "${half%% *}" "$(printf 'hello\n' | sha256sum | cut -d' ' -f1)" \
    "answer after half-close, buffered path"

# Refusals, each with its code.
assert_eq "$(connect_code "$NS" -x $P "http://$API:443/1")" 403 \
    "service container source"
assert_eq "$(connect_code "$NV" -x $P "http://evil.example:443/1")" 403 \
    "host not allowed"
assert_eq "$(connect_code "$NV" -x $P "http://$API:8443/1")" 403 \
    "allowed host, wrong port"
assert_eq "$(connect_code "$NV" -x $P "http://203.0.113.20:22/1")" 403 \
    "server IP, wrong port"
assert_eq "$(in_ns "$NV" curl -s -o /dev/null -w '%{http_code}' -x $P \
    "http://$API:443/1")" 405 "GET through the proxy"
assert_eq "$(printf 'CONNECT\r\n\r\n' | in_ns "$NV" "$PXPEER" raw \
    -x 10.100.0.1:8888)" 400 "malformed request line"
assert_eq "$(connect_code "$NV" -x $P --proxy-header \
    "X-Pad: $(head -c 9000 /dev/zero | tr '\0' a)" "http://$API:443/1")" \
    431 "head over 8 KiB"
assert_eq "$(connect_code "$NV" -x $P "http://203.0.113.21:1337/1")" 502 \
    "connection refused upstream"
assert_eq "$(connect_code "$NV" -x $P "http://192.0.2.55:443/1")" 502 \
    "no route upstream"
t0=$(date +%s%N)
assert_eq "$(connect_code "$NV" -x $P "http://203.0.113.99:443/1")" 504 \
    "blackholed server"
ms=$(( ($(date +%s%N) - t0) / 1000000 ))
[ $ms -ge 900 ] || fail "504 after $ms ms, before the 1 s connect timeout"

# A new server list: 203.0.113.20 is out, at once.
printf '%s\n' 203.0.113.21 >"$D/ips"
kill -HUP "$PID_p"
wait_for 50 grep -q '1 server IPs allowed' "$D/p.log" || fail "no reload"
assert_eq "$(connect_code "$NV" -x $P "http://203.0.113.20:1337/1")" 403 \
    "server IP dropped from the list"

assert_eq "$(stats p accepted)" 4 "accepted"
assert_eq "$(stats p denied_source)" 1 "denied_source"
assert_eq "$(stats p denied_target)" 4 "denied_target"
assert_eq "$(stats p denied_method)" 1 "denied_method"
assert_eq "$(stats p bad_request)" 1 "bad_request"
assert_eq "$(stats p head_too_large)" 1 "head_too_large"
assert_eq "$(stats p upstream_failed)" 3 "upstream_failed"
assert_eq "$(stats p upstream_timeout)" 1 "upstream_timeout"
up=$(stats p bytes_up) down=$(stats p bytes_down)
[ "$up" -gt $MB100 ] || fail "bytes_up $up, want > 100 MiB"
[ "$down" -gt $MB100 ] || fail "bytes_down $down, want > 100 MiB"
wait_for 30 stat_is p tunnels_open 0 || fail "tunnels still open"
grep -q "10.100.0.10:[0-9]* -> ?: 403 (source not allowed)" "$D/p.log" ||
    fail "refused source not logged"
grep -q "10.100.0.2:[0-9]* -> $API:443: 200, up [0-9]* B, down [0-9]* B" \
    "$D/p.log" || fail "tunnel line not logged"
note "ok"
