#!/bin/bash
# SPDX-License-Identifier: ISC
# piasim: time of `up` and `down` (N runs, default 5, with 4 servers), and
# of a token request and an addKey through the world. Prints numbers;
# asserts nothing. Needs root and a built tree:
#   top_builddir=/tmp/piad-build-NAME bench/piasim.sh [N]
: "${top_srcdir:=$(cd "$(dirname "$0")/.." && pwd)}"
: "${top_builddir:=$top_srcdir}"
. "$top_srcdir/tests/lib/netns.sh"
. "$top_srcdir/tests/sim/testlib.sh"
n=${1:-5}
D=/tmp/piasim-bench-$T
ms() { echo $(( ($(date +%s%N) - $1) / 1000000 )); }

for i in $(seq "$n"); do
	t=$(date +%s%N)
	"$PIASIM" up --prefix "$T" --dir "$D" >/dev/null || fail "up"
	up=$(ms "$t")
	t=$(date +%s%N)
	"$PIASIM" down --prefix "$T" || fail "down"
	echo "run $i: up $up ms, down $(ms "$t") ms"
done
sim_up "$T" "$D"
t=$(date +%s%N)
TOKEN=$(get_token "$T" "$D")
echo "token request (new TLS connection): $(ms "$t") ms"
t=$(date +%s%N)
add_key "$T" "$D" "$(server_field "$T" 0 cn)" "$(server_field "$T" 0 ip)" \
    "$TOKEN" "$(wg genkey | wg pubkey)" >/dev/null
echo "addKey (new TLS connection, WireGuard peer added): $(ms "$t") ms"
