# SPDX-License-Identifier: ISC
#
# Helpers for the piasim tests (tests/netns/sim_*.sh), on top of
# tests/lib/netns.sh. Source after it. Every call runs inside the world's
# host netns ("$P-host"), where piad would run, unless it says otherwise.

PIASIM=${PIASIM:-$top_builddir/tests/sim/piasim}
[ -x "$PIASIM" ] || skip "piasim not built ($PIASIM)"
for _t in curl jq wg wireguard-go openssl; do
	command -v "$_t" >/dev/null || skip "needs $_t"
done

# sim_up PREFIX DIR [ARGS...]: bring a world up, removed at exit.
sim_up() {
	local p=$1 d=$2; shift 2
	on_exit "'$PIASIM' down --prefix '$p'; rm -rf '$d'"
	"$PIASIM" up --prefix "$p" --dir "$d" "$@" >/dev/null ||
		fail "piasim up --prefix $p failed"
}

# host_curl PREFIX DIR CURL-ARGS...: curl in PREFIX-host; prints the body
# then " CODE" on its own last line.
host_curl() {
	local p=$1 d=$2; shift 2
	ip netns exec "$p-host" curl -sS --max-time 5 \
	    --resolve "www.privateinternetaccess.com:443:192.0.2.10" \
	    --resolve "serverlist.piaservers.net:443:192.0.2.11" \
	    -w '\n%{http_code}' "$@"
}

# The body and the code of a host_curl reply.
body_of() { printf '%s\n' "$1" | sed '$d'; }
code_of() { printf '%s\n' "$1" | tail -n 1; }

# get_token PREFIX DIR: a fresh token (fails the test otherwise).
get_token() {
	local r
	r=$(host_curl "$1" "$2" --cacert "$2/api-ca.crt" \
	    --data-urlencode "username=$(sed -n 1p "$2/credentials")" \
	    --data-urlencode "password=$(sed -n 2p "$2/credentials")" \
	    https://www.privateinternetaccess.com/api/client/v2/token)
	[ "$(code_of "$r")" = 200 ] || fail "token: HTTP $(code_of "$r")"
	body_of "$r" | jq -er .token
}

# server_field PREFIX INDEX FIELD: from the world's status.
server_field() {
	"$PIASIM" status --prefix "$1" | jq -er ".servers[$2].$3"
}

# add_key PREFIX DIR CN IP TOKEN PUBKEY: the addKey reply (body, code).
add_key() {
	host_curl "$1" "$2" --cacert "$2/pia-ca.crt" \
	    --resolve "$3:1337:$4" -G --data-urlencode "pt=$5" \
	    --data-urlencode "pubkey=$6" "https://$3:1337/addKey"
}

# status_q PREFIX JQ: a value from `piasim status`.
status_q() { "$PIASIM" status --prefix "$1" | jq -r "$2"; }
