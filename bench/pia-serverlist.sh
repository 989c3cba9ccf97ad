#!/bin/sh
# SPDX-License-Identifier: ISC
# How long piad's event loop is busy verifying and parsing a server list.
# Usage: bench/pia-serverlist.sh [BUILDDIR] [REGIONS] [ITERATIONS]
# (BUILDDIR defaults to /tmp/piad-build-pia; the program is built on demand.)
set -eu
b=${1:-/tmp/piad-build-pia}
make -s -C "$b" tests/pia/bench_serverlist >/dev/null
for n in ${2:-120 1000}; do
	"$b/tests/pia/bench_serverlist" "$n" "${3:-50}"
done
