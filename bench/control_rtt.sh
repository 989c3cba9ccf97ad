#!/bin/bash
# SPDX-License-Identifier: ISC
#
# Control socket speed against piad on the fake backend: requests per
# second on one connection (status, sequential round trips), the same
# with 20 connections at once, and whole `piadctl status` runs per second.
# Prints numbers; asserts nothing.
#   bench/control_rtt.sh [BUILDDIR]   (default /tmp/piad-build-engine)
set -eu
b=${1:-/tmp/piad-build-engine}
d=$(mktemp -d /tmp/piad-bench.XXXXXX)
trap 'kill $pid 2>/dev/null; wait $pid 2>/dev/null; rm -rf "$d"' EXIT
cat >"$d/c.json" <<EOC
{ "credentials_file": "c", "region": "swiss", "control_socket": "$d/s",
  "log": { "level": "warning" },
  "containers": { "a": { "address": "10.100.0.10",
    "receive_forwarded_port": {} }, "b": { "address": "10.100.0.11" } } }
EOC
PIAD_BACKEND=fake "$b/piad" -c "$d/c.json" 2>/dev/null &
pid=$!
for _ in $(seq 100); do [ -S "$d/s" ] && break; sleep 0.05; done
sleep 0.3
python3 - "$d/s" <<'EOP'
import socket, sys, time, threading
path = sys.argv[1]
def run(n, out):
    s = socket.socket(socket.AF_UNIX); s.connect(path); f = s.makefile("rb")
    t = time.monotonic()
    for _ in range(n):
        s.sendall(b'{"v":1,"cmd":"status"}\n'); f.readline()
    out.append(time.monotonic() - t)
r = []; run(5000, r)
print("status, 1 connection:   %8.0f req/s (%.1f us/req)" % (5000 / r[0], r[0] / 5000 * 1e6))
r = []; th = [threading.Thread(target=run, args=(1000, r)) for _ in range(20)]
t = time.monotonic(); [x.start() for x in th]; [x.join() for x in th]
el = time.monotonic() - t
print("status, 20 connections: %8.0f req/s" % (20000 / el))
EOP
n=200
t0=$(date +%s.%N)
for _ in $(seq $n); do "$b/piadctl" -s "$d/s" status >/dev/null; done
t1=$(date +%s.%N)
echo "piadctl status runs:    $(echo "$n / ($t1 - $t0)" | bc -l | cut -d. -f1) per s"
