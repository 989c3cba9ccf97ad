# SPDX-License-Identifier: ISC
# The HTTPS client against a local TLS server with a test CA: a client
# netns and a server netns on a veth, the client's sockets made inside its
# netns by piad's dialer (the driver itself runs in the test's own netns),
# and tinyproxy as the CONNECT proxy. The driver runs in a third netns with
# nothing but loopback, so only a socket made in the client netns can reach
# the server (and nothing outside the test is ever contacted). Checks what a caller of the client
# sees: the body, the status, the error kind and its message.
. "$top_srcdir/tests/lib/netns.sh"

for _t in openssl tinyproxy; do
	command -v "$_t" >/dev/null || skip "needs $_t"
done
get=$top_builddir/tests/https/https_get
server=$top_builddir/tests/https/tls_server
[ -x "$get" ] && [ -x "$server" ] || fail "helpers not built"

d=$(mktemp -d /tmp/piad-https.XXXXXX)
on_exit "rm -rf '$d'"

# Test CAs and leaves (EC keys: fast).
name=api.test.example
mkca() {
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
	    -keyout "$d/$1.key" -out "$d/$1.crt" -subj "/CN=$1" -days 1 \
	    -addext basicConstraints=critical,CA:TRUE \
	    -addext keyUsage=critical,keyCertSign,cRLSign 2>/dev/null ||
	    fail "openssl: cannot make CA $1"
}
mkca ca
mkca otherca
openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
    -keyout "$d/leaf.key" -out "$d/leaf.csr" -subj "/CN=$name" \
    2>/dev/null || fail "openssl: cannot make leaf key"
printf 'subjectAltName=DNS:%s\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n' \
    "$name" >"$d/leaf.ext"
openssl x509 -req -in "$d/leaf.csr" -CA "$d/ca.crt" -CAkey "$d/ca.key" \
    -CAcreateserial -out "$d/leaf.crt" -days 1 -extfile "$d/leaf.ext" \
    2>/dev/null || fail "openssl: cannot sign leaf"

# Topology: client netns C (198.51.100.1) <-veth-> server netns S (.2).
C=${T}c
S=${T}s
D=${T}d
mk_netns "$C"
mk_netns "$S"
mk_netns "$D"
ip link add "${T}a" netns "$C" type veth peer name "${T}b" netns "$S" ||
    fail "cannot create veth"
ip -n "$C" addr add 198.51.100.1/24 dev "${T}a"
ip -n "$S" addr add 198.51.100.2/24 dev "${T}b"
ip -n "$C" link set "${T}a" up
ip -n "$S" link set "${T}b" up

in_ns "$S" "$server" -l 198.51.100.2:1337 -c "$d/leaf.crt" \
    -k "$d/leaf.key" -r "$d/ready" 2>"$d/server.log" &
wait_for 50 test -e "$d/ready" || fail "tls_server did not start"

# tinyproxy as the CONNECT proxy; only port 1337 may be CONNECTed to.
cat >"$d/tinyproxy.conf" <<EOT
Port 8888
Listen 198.51.100.2
Timeout 10
Allow 198.51.100.0/24
ConnectPort 1337
MaxClients 8
LogLevel Info
LogFile "$d/tinyproxy.log"
PidFile "$d/tinyproxy.pid"
EOT
touch "$d/tinyproxy.log"
chmod 0777 "$d"
chmod 0666 "$d/tinyproxy.log"
in_ns "$S" tinyproxy -d -c "$d/tinyproxy.conf" >/dev/null 2>&1 &
wait_for 50 in_ns "$S" sh -c "ss -ltn | grep -q 198.51.100.2:8888" ||
    fail "tinyproxy did not start"

out=$d/out
# drv ARGS...: the driver in the empty netns; a sanitizer report (when
# built with --enable-sanitizers) fails the test, whatever the result.
drv() {
	in_ns "$D" "$get" "$@" >"$out" 2>"$d/err" || true
	if grep -Eq "ERROR: (Address|Leak)Sanitizer|runtime error:" "$d/err"
	then
		cat "$d/err" >&2
		fail "sanitizer report from the driver"
	fi
}
# run ARGS...: the driver with the defaults for this world.
run() {
	drv -n "$C" -a 198.51.100.2:1337 -N "$name" -C "$d/ca.crt" "$@"
}
# field PATH KEY: a field of one path's result block.
field() {
	awk -v p="== $1" -v k="$2: " '
	    $0 == p { on = 1; next }
	    /^== / { on = 0 }
	    on && index($0, k) == 1 { print substr($0, length(k) + 1); exit }
	' "$out"
}
expect() {	# expect PATH KEY VALUE
	assert_eq "$(field "$1" "$2")" "$3" "$1 $2"
}
expect_in() {	# expect_in PATH KEY SUBSTRING
	case $(field "$1" "$2") in
	*"$3"*) ;;
	*) fail "$1 $2: expected to contain '$3', got '$(field "$1" "$2")'" ;;
	esac
}

note "direct dial inside the client netns, Content-Length body"
run /ok
expect /ok err ok
expect /ok status 200
expect /ok body hello

note "the same without the netns fails: the driver's netns has no route"
drv -a 198.51.100.2:1337 -N "$name" -C "$d/ca.crt" -t 500 /ok
expect /ok err network
expect /ok message "GET $name/ok: connect to 198.51.100.2:1337: Network is unreachable"

note "chunked and close-delimited bodies"
run /chunked /close
expect /chunked err ok
expect /chunked body "chunk-ed ok"
expect /close err ok
expect /close body "until close"

note "a CA that did not sign the server is refused"
run -C "$d/otherca.crt" /ok
expect /ok err tls_verify
expect /ok message "GET $name/ok: TLS certificate of $name not accepted: unable to get local issuer certificate"
grep -q "^body: $" "$out" || fail "a body was delivered despite TLS failure"

note "the right CA but another name is refused"
drv -n "$C" -a 198.51.100.2:1337 -N other.test.example -C "$d/ca.crt" \
    /ok
expect /ok err tls_verify
expect_in /ok message "not accepted: hostname mismatch"

note "slow and hung servers hit the total timeout"
run -T 300 "/slow?ms=3000"
expect "/slow?ms=3000" err timeout
expect "/slow?ms=3000" message "GET $name/slow: no complete response within 300 ms"
run -T 300 /hang
expect /hang err timeout
expect_in /hang message "no complete response within 300 ms"
run -T 2000 "/slow?ms=100"
expect "/slow?ms=100" err ok
expect "/slow?ms=100" body late

note "an unanswered SYN hits the connect timeout"
in_ns "$S" nft -f - <<'EOT' || fail "nft"
table inet httpstest {
	chain input {
		type filter hook input priority 0;
		tcp dport 1338 drop
	}
}
EOT
drv -n "$C" -a 198.51.100.2:1338 -N "$name" -C "$d/ca.crt" -t 300 \
    /ok
expect /ok err timeout
expect /ok message "GET $name/ok: connect to 198.51.100.2:1338 timed out after 300 ms"

note "a closed port is a network error"
drv -n "$C" -a 198.51.100.2:1339 -N "$name" -C "$d/ca.crt" /ok
expect /ok err network
expect /ok message "GET $name/ok: connect to 198.51.100.2:1339: Connection refused"

note "statuses: 429 is rate limiting with Retry-After, others http_status"
run /status/429 /status/503 /status/404
expect /status/429 err rate_limited
expect /status/429 status 429
expect /status/429 retry_after 7
expect /status/503 err http_status
expect /status/503 message "GET $name/status/503: HTTP 503 Test"
expect /status/503 body status

note "keep-alive: sequential requests share one TLS connection"
run /ka /ka /ka
c1=$(awk '/^body: conn=/ { print $2 }' "$out" | sort -u | wc -l)
assert_eq "$c1" 1 "connections used by three requests"
assert_eq "$(grep -c '^reused: yes' "$out")" 2 "reused requests"
case $(grep '^body:' "$out" | tail -n 1) in
"body: conn="*" req=3") ;;
*) fail "third request not on the first connection: $(tail -n 1 "$out")" ;;
esac

note "a server that closed a kept connection: the next request redials"
run /closeafter /ka
expect /closeafter err ok
expect /ka err ok
expect /ka reused no
case $(field /ka body) in
conn=*" req=1") ;;
*) fail "after a server close the request did not run on a new connection: $(field /ka body)" ;;
esac

note "a kept connection closed as the next request arrives: redial, resend"
run -v /dropnext /ka
grep -q "kept connection was closed, reconnecting" "$d/err" ||
    fail "no redial logged: $(cat "$d/err")"
expect /dropnext err ok
expect /ka err ok
expect /ka reused no
case $(field /ka body) in
conn=*" req=1") ;;
*) fail "the request was not resent on a new connection: $(field /ka body)" ;;
esac

note "POST with a form body; the Host field names the TLS name and port"
run -X POST -d "username=p1&password=s%26x" /echo
expect /echo err ok
grep -qx "host=$name:1337" "$out" || fail "Host field: $(grep host= "$out")"
grep -qx "type=application/x-www-form-urlencoded" "$out" ||
    fail "Content-Type: $(grep type= "$out")"
grep -qx "length=26" "$out" || fail "length: $(grep length= "$out")"
grep -qx "username=p1&password=s%26x" "$out" || fail "body not echoed"

note "bodies over 4 MiB are refused"
run /big
expect /big err protocol
expect /big message "GET $name/big: malformed response: message body larger than 4 MiB"

note "tokens in the query never reach the logs or messages"
run -v -T 300 "/hang?pt=SECRETTOKEN1234"
expect "/hang?pt=SECRETTOKEN1234" err timeout
grep -q "SECRETTOKEN1234" "$d/err" && fail "token logged: $(grep SECRET "$d/err")"
grep "^message:" "$out" | grep -q SECRETTOKEN && fail "token in the message"
grep -q "https GET $name/hang" "$d/err" || fail "debug log lacks the call name"

note "through the CONNECT proxy (tinyproxy) to the server's IP"
run -p 198.51.100.2:8888 /ok /ka /ka
expect /ok err ok
expect /ok body hello
assert_eq "$(grep -c '^reused: yes' "$out")" 2 "reused requests via proxy"
drv -n "$C" -p 198.51.100.2:8888 -a 198.51.100.2:1338 -N "$name" \
    -C "$d/ca.crt" /ok
expect /ok err network
expect_in /ok message "proxy 198.51.100.2:8888 refused CONNECT 198.51.100.2:1338: 403"

note "one-shot calls"
run -1 /ok /chunked
expect /ok err ok
expect /chunked body "chunk-ed ok"

echo "PASS: https client"
