#!/bin/bash
# SPDX-License-Identifier: ISC
# HTTPS client latency: N requests on one kept connection vs N one-shot
# calls (new TCP + TLS each), direct inside a netns to a local TLS server.
# Prints numbers; asserts nothing. Needs root and a built tree:
#   top_builddir=/tmp/piad-build-NAME bench/https.sh [N]
: "${top_srcdir:=$(cd "$(dirname "$0")/.." && pwd)}"
: "${top_builddir:=$top_srcdir}"
. "$top_srcdir/tests/lib/netns.sh"
n=${1:-50}
get=$top_builddir/tests/https/https_get
server=$top_builddir/tests/https/tls_server
[ -x "$get" ] || fail "build tests/https/https_get first"

d=$(mktemp -d /tmp/piad-https-bench.XXXXXX)
on_exit "rm -rf '$d'"
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
    -keyout "$d/k" -out "$d/c" -subj /CN=bench.test.example -days 1 \
    -addext subjectAltName=DNS:bench.test.example 2>/dev/null
mk_netns "${T}c"
mk_netns "${T}s"
ip link add "${T}a" netns "${T}c" type veth peer name "${T}b" netns "${T}s"
ip -n "${T}c" addr add 203.0.113.1/24 dev "${T}a"
ip -n "${T}s" addr add 203.0.113.2/24 dev "${T}b"
ip -n "${T}c" link set "${T}a" up
ip -n "${T}s" link set "${T}b" up
in_ns "${T}s" "$server" -l 203.0.113.2:1337 -c "$d/c" -k "$d/k" \
    -r "$d/ready" 2>/dev/null &
wait_for 50 test -e "$d/ready" || fail "server did not start"

paths=()
for ((i = 0; i < n; i++)); do paths+=(/ok); done
stats() {
	awk -v what="$1" '/^total_ms:/ { t += $2; n++ } /^err: ok/ { ok++ }
	    END { printf "%-28s %4d requests, %4d ok, mean %.2f ms\n",
	    what, n, ok, n ? t / n : 0 }'
}
"$get" -n "${T}c" -a 203.0.113.2:1337 -N bench.test.example -C "$d/c" \
    "${paths[@]}" | stats "kept connection"
"$get" -n "${T}c" -a 203.0.113.2:1337 -N bench.test.example -C "$d/c" -1 \
    "${paths[@]}" | stats "one-shot (connect+TLS each)"
start=$(date +%s%N)
"$get" -n "${T}c" -a 203.0.113.2:1337 -N bench.test.example -C "$d/c" \
    "${paths[@]}" >/dev/null
end=$(date +%s%N)
echo "kept connection wall time: $(( (end - start) / 1000000 )) ms for $n requests (incl. process start)"
