# SPDX-License-Identifier: ISC
#
# The world the proxy tests run in (sourced by tests/netns/proxy*.sh, after
# tests/lib/netns.sh):
#
#   $NV  "vpn" netns      10.100.0.2  ---+
#   $NS  service netns    10.100.0.10 ---+-- br in $NH: 10.100.0.1 (proxy :8888)
#   $NW  "world" netns    198.51.100.2 --- $NH 198.51.100.1
#        203.0.113.10  api host (www.privateinternetaccess.com and
#                      serverlist.piaservers.net via pia.resolve), :443
#        203.0.113.20  a server-list IP, :443 and :1337
#        203.0.113.21  a server-list IP where nothing listens (RST)
#        203.0.113.22  a server-list IP, free for a test's own server
#        203.0.113.99  a server-list IP whose packets are dropped (nft)
#        192.0.2.55    a server-list IP with no route at all
#
# proxyd runs in $NH; start_proxy NAME ARGS... starts one more (listening
# on 10.100.0.1:PORT), stats NAME KEY reads a counter from it.

PXPEER=$top_builddir/tests/proxy/pxpeer
PROXYD=$top_builddir/tests/proxy/proxyd
[ -x "$PXPEER" ] && [ -x "$PROXYD" ] || skip "helpers not built"
command -v curl >/dev/null || skip "needs curl"

NH=${T}h NV=${T}v NS=${T}s NW=${T}w
D=$(mktemp -d "/tmp/proxytest.$T.XXXXXX")
on_exit "rm -rf '$D'"

API=www.privateinternetaccess.com
LIST=serverlist.piaservers.net

setup_world() {
	local n
	for n in $NH $NV $NS $NW; do mk_netns "$n"; done
	ip -n "$NH" link add "br$T" type bridge
	ip -n "$NH" addr add 10.100.0.1/24 dev "br$T"
	ip -n "$NH" link set "br$T" up
	for n in v:10.100.0.2 s:10.100.0.10; do
		local tag=${n%%:*} addr=${n#*:} ns=${T}${n%%:*}
		ip -n "$NH" link add "${T}$tag" type veth peer name eth0 \
		    netns "$ns"
		ip -n "$NH" link set "${T}$tag" master "br$T" up
		ip -n "$ns" addr add "$addr/24" dev eth0
		ip -n "$ns" link set eth0 up
	done
	ip -n "$NH" link add "${T}w" type veth peer name eth0 netns "$NW"
	ip -n "$NH" addr add 198.51.100.1/24 dev "${T}w"
	ip -n "$NH" link set "${T}w" up
	ip -n "$NW" addr add 198.51.100.2/24 dev eth0
	ip -n "$NW" link set eth0 up
	for n in 203.0.113.10 203.0.113.20 203.0.113.21 203.0.113.22 \
	    203.0.113.99; do
		ip -n "$NW" addr add "$n/32" dev lo
	done
	ip -n "$NH" route add 203.0.113.0/24 via 198.51.100.2
	in_ns "$NW" nft -f - <<-NFT || fail "nft blackhole"
	table inet blackhole {
		chain input {
			type filter hook input priority 0;
			ip daddr 203.0.113.99 drop
		}
	}
	NFT
	in_ns "$NW" "$PXPEER" serve 203.0.113.10:443 &
	in_ns "$NW" "$PXPEER" serve 203.0.113.20:443 &
	in_ns "$NW" "$PXPEER" serve 203.0.113.20:1337 &
	printf '%s\n' 203.0.113.20 203.0.113.21 203.0.113.22 203.0.113.99 \
	    192.0.2.55 \
	    >"$D/ips"
	wait_for 50 in_ns "$NW" bash -c \
	    'exec 3<>/dev/tcp/203.0.113.20/1337' || fail "servers not up"
}

# start_proxy NAME PORT [proxyd args...]
start_proxy() {
	local name=$1 port=$2; shift 2
	in_ns "$NH" "$PROXYD" -l "10.100.0.1:$port" -s 10.100.0.2 \
	    -H "$API" -H "$LIST" -r "$API=203.0.113.10" \
	    -r "$LIST=203.0.113.10" -I "$D/ips" -S "$D/$name.stats" \
	    -R "$D/$name.ready" "$@" 2>"$D/$name.log" &
	wait_for 50 test -s "$D/$name.ready" || {
		cat "$D/$name.log"; fail "proxyd $name did not start"; }
	eval "PID_$name=$(cat "$D/$name.ready")"
}

# stats NAME KEY: the counter, fresh from the running proxyd.
stats() {
	local pid
	eval "pid=\$PID_$1"
	rm -f "$D/$1.stats"
	kill -USR1 "$pid"
	wait_for 50 test -s "$D/$1.stats" || fail "no stats from $1"
	awk -v k="$2" '$1 == k { print $2 }' "$D/$1.stats"
}

rss_kb() { awk '/^VmRSS:/ { print $2 }' "/proc/$1/status"; }

# code NS ARGS...: what the proxy answered a curl CONNECT from netns NS.
connect_code() {
	local ns=$1; shift
	in_ns "$ns" curl -s -o /dev/null -w '%{http_connect}' --max-time 10 \
	    -p "$@" || true
}

# For wait_for (which runs a command again and again, so the value must be
# computed inside it): stat_is NAME KEY VALUE, count_is FILE REGEX N.
stat_is() { [ "$(stats "$1" "$2")" = "$3" ]; }
count_is() { [ "$(grep -c "$2" "$1")" = "$3" ]; }
