#!/bin/bash
# SPDX-License-Identifier: ISC
# Timings of the WireGuard backend and the nftables tables (root; prints
# numbers, asserts nothing). Run from a build tree:
#   top_srcdir=/work/main top_builddir=/tmp/piad-build-NAME bash bench/wg_nft.sh
. "$top_srcdir/tests/lib/netns.sh"
NT=$top_builddir/tests/netns/nft-tool
WGT=$top_builddir/tests/netns/wg-tool
ms() { date +%s%N; }

h=${T}h v=${T}v w=w${T}
mk_netns $h
mk_netns $v
N=500
t0=$(ms); "$NT" -N $h -r $N host br-vpn 8888 10.100.0.2/32 || exit 1; t1=$(ms)
echo "nft host table apply: $(( (t1 - t0) / N / 1000 )) us each ($N re-applies)"
t0=$(ms); "$NT" -N $v -r $N vpn eth0 piaw 10.100.0.0/24 mss \
    dnat 51413 10.100.0.10 0 both || exit 1; t1=$(ms)
echo "nft VPN table apply: $(( (t1 - t0) / N / 1000 )) us each ($N re-applies)"

if command -v wireguard-go >/dev/null; then
	on_exit "in_ns $h '$WGT' -b userspace -N $v $w destroy"
	t0=$(ms); in_ns $h "$WGT" -b userspace -N $v $w ensure 2>/dev/null ||
	    exit 1; t1=$(ms)
	echo "userspace ensure (start wireguard-go, wait, move): $(( (t1 - t0) / 1000000 )) ms"
	t0=$(ms)
	for i in $(seq 20); do in_ns $h "$WGT" -N $v $w show >/dev/null 2>&1; done
	t1=$(ms)
	echo "wg-tool show (process + adopt + UAPI get): $(( (t1 - t0) / 20 / 1000000 )) ms each"
fi
