#!/bin/bash
# SPDX-License-Identifier: ISC
#
# piadctl against a running piad on the fake backend, as a user would use
# them: `piad -n` verdicts, the human status view, --json, `port`, watch,
# history, reload (bad file: exit 1 and the message; good file: applied),
# SIGHUP, exit 2 naming the socket when piad is not there, and SIGTERM.
# Needs no root: everything lives in a temp dir.
set -u
: "${top_builddir:?}" "${top_srcdir:?}"
PIAD=$top_builddir/piad
CTL=$top_builddir/piadctl

fail() { echo "FAIL: $*" >&2; exit 1; }
note() { echo "# $*"; }
expect() {	# expect WANT_RC DESCRIPTION CMD...: stdout to $out, stderr $err
	local want=$1 what=$2; shift 2
	"$@" >"$d/out" 2>"$d/err"; rc=$?
	out=$(cat "$d/out"); err=$(cat "$d/err")
	[ "$rc" = "$want" ] || fail "$what: exit $rc, wanted $want (stderr: $err)"
}

d=$(mktemp -d /tmp/piad-ctl-test.XXXXXX)
pid=
cleanup() {
	[ -n "$pid" ] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
	rm -rf "$d"
}
trap cleanup EXIT

sock=$d/control.sock
conf=$d/config.json
write_conf() {	# write_conf EXTRA_CONTAINER_JSON
	cat >"$conf" <<EOC
{
  "credentials_file": "credentials",
  "region": "swiss",
  "control_socket": "$sock",
  "log": { "level": "debug" },
  "containers": {
    "transmission": { "address": "10.100.0.10",
      "receive_forwarded_port": { "port": 51413 } },
    "servarr": { "address": "10.100.0.11", "managed": false }$1
  }
}
EOC
}
write_conf ""

note "piad -n"
expect 0 "piad -n on a good file" "$PIAD" -n -c "$conf"
expect 0 "piad -n -v" "$PIAD" -n -v -c "$conf"
echo "$out" | grep -q '"control_socket": "'"$sock"'"' ||
	fail "piad -n -v does not print the normalized config: $out"
echo "$out" | grep -q '"state_dir": "/var/lib/piad"' ||
	fail "piad -n -v lacks the defaults: $out"
echo '{ "region": 1 }' >"$d/bad.json"
expect 1 "piad -n on a bad file" "$PIAD" -n -c "$d/bad.json"
echo "$err" | grep -q "^  region: " || fail "no 'region:' error line: $err"

note "no daemon: exit 2 naming the socket"
expect 2 "status without piad" "$CTL" -s "$sock" status
[ "$err" = "piadctl: cannot connect to $sock: No such file or directory (is piad running?)" ] ||
	fail "connect error message: $err"
expect 1 "unknown piadctl command" "$CTL" -s "$sock" frobnicate
echo "$err" | grep -q "unknown command frobnicate" || fail "usage: $err"

note "start piad"
PIAD_BACKEND=fake "$PIAD" -c "$conf" 2>"$d/piad.log" &
pid=$!
for _ in $(seq 100); do
	"$CTL" -s "$sock" status --json 2>/dev/null | grep -q '"state":"STEADY"' && break
	sleep 0.05
done
"$CTL" -s "$sock" status --json | grep -q '"state":"STEADY"' ||
	fail "piad did not reach STEADY: $(cat "$d/piad.log")"
grep -q "PF_BIND -> STEADY (fake pf done)" "$d/piad.log" ||
	fail "transitions are not logged as FROM -> TO (reason)"

note "status, human"
expect 0 "status" "$CTL" -s "$sock" status
echo "$out" | grep -Eq '^state        STEADY since [0-9-]+ [0-9:]+ \([0-9]+s\)$' ||
	fail "state line: $out"
echo "$out" | grep -Eq '^server       swiss fake[0-9]+ 203\.0\.113\.[0-9]+:1337 vip 10\.0\.0\.1$' ||
	fail "server line: $out"
echo "$out" | grep -Eq '^tunnel       piaw \(fake\) peer 10\.13\.0\.[0-9]+, handshake [0-9]+s ago, rx .*, tx .*$' ||
	fail "tunnel line: $out"
echo "$out" | grep -Eq '^port         [0-9]+ -> transmission 10\.100\.0\.10:51413 \(ok, bound [0-9]+s ago, expires [0-9-]+\)$' ||
	fail "port line: $out"
echo "$out" | grep -Eq '^containers   transmission  10\.100\.0\.10 +managed  ok$' ||
	fail "first container line: $out"
echo "$out" | grep -Eq '^             servarr       10\.100\.0\.11 +attached ok$' ||
	fail "second container line: $out"
echo "$out" | grep -q '^last error   -$' || fail "last error line: $out"

note "status --json and port agree"
expect 0 "status --json" "$CTL" -s "$sock" status --json
json=$out
port=$(echo "$json" | python3 -c 'import json,sys; print(json.load(sys.stdin)["result"]["port_forward"]["port"])')
expect 0 "port" "$CTL" -s "$sock" port
[ "$out" = "$port" ] || fail "piadctl port says '$out', status says '$port'"
echo "$json" | python3 -c '
import json, sys
r = json.load(sys.stdin)
assert r["v"] == 1 and r["ok"] is True, r
s = r["result"]
for k in ("state", "since", "server", "tunnel", "port_forward", "containers", "last_error", "counters"):
    assert k in s, k
assert [c["name"] for c in s["containers"]] == ["transmission", "servarr"], s["containers"]
' || fail "status --json shape: $json"

note "history"
expect 0 "history" "$CTL" -s "$sock" history
[ "$(echo "$out" | wc -l)" = 5 ] || fail "history should have 5 lines: $out"
echo "$out" | tail -n 1 | grep -Eq '  PF_BIND -> STEADY  \(fake pf done\)$' ||
	fail "last history line: $out"

note "watch sees a reconnect"
"$CTL" -s "$sock" watch >"$d/watch" 2>&1 &
wpid=$!
for _ in $(seq 50); do grep -q "^watching" "$d/watch" && break; sleep 0.05; done
expect 0 "reconnect" "$CTL" -s "$sock" reconnect
[ "$out" = "reconnect asked (state AUTH)" ] || fail "reconnect reply: $out"
for _ in $(seq 100); do grep -q "PF_BIND -> STEADY" "$d/watch" && break; sleep 0.05; done
kill $wpid; wait $wpid 2>/dev/null
grep -Eq '  STEADY -> AUTH  \(reconnect asked by pid [0-9]+\)$' "$d/watch" ||
	fail "watch did not show the reconnect: $(cat "$d/watch")"
grep -Eq '  port [0-9]+ -> transmission 10\.100\.0\.10:51413$' "$d/watch" ||
	fail "watch did not show the port change: $(cat "$d/watch")"
expect 0 "port after reconnect" "$CTL" -s "$sock" port
[ "$out" != "$port" ] || fail "a new server should give a new port"

note "reload: a bad file is refused with its message, exit 1"
cp "$conf" "$d/good.json"
sed -i 's/"10.100.0.11"/"10.200.0.11"/' "$conf"
expect 1 "reload with a bad file" "$CTL" -s "$sock" reload
echo "$err" | grep -Eq '^piadctl: reload: invalid-config: containers\.servarr\.address: ' ||
	fail "reload error: $err"
expect 1 "reload --json with a bad file" "$CTL" -s "$sock" reload --json
echo "$out" | grep -q '"ok":false,"error":"invalid-config: containers.servarr.address: ' ||
	fail "reload --json error: $out"
expect 0 "status after bad reload" "$CTL" -s "$sock" status
echo "$out" | grep -Eq '^             servarr       10\.100\.0\.11 ' ||
	fail "the old config should still run: $out"
echo "$out" | grep -q '^last error   [0-9:]* reload: containers.servarr.address: ' ||
	fail "status should report the reload error: $out"

note "SIGHUP with a bad file keeps piad running"
n0=$(grep -c "reload: containers.servarr.address: " "$d/piad.log")
kill -HUP "$pid"
for _ in $(seq 100); do
	[ "$(grep -c "reload: containers.servarr.address: " "$d/piad.log")" -gt "$n0" ] && break
	sleep 0.05
done
[ "$(grep -c "reload: containers.servarr.address: " "$d/piad.log")" -gt "$n0" ] ||
	fail "SIGHUP reload error not logged"
kill -0 "$pid" || fail "piad died on SIGHUP with a bad file"

note "reload: a good file with a new container"
write_conf ', "jellyfin": { "address": "10.100.0.12" }'
expect 0 "reload with a good file" "$CTL" -s "$sock" reload
echo "$out" | grep -Eq '^reloaded \(state [A-Z_]+\)$' || fail "reload reply: $out"
for _ in $(seq 100); do
	"$CTL" -s "$sock" status | grep -q "^state        STEADY" && break
	sleep 0.05
done
expect 0 "status after reload" "$CTL" -s "$sock" status
echo "$out" | grep -Eq '^             jellyfin      10\.100\.0\.12 +managed  ok$' ||
	fail "new container missing: $out"


note "metrics"
expect 0 "metrics" "$CTL" -s "$sock" metrics
echo "$out" | grep -qx 'piad_state{state="STEADY"} 1' || fail "metrics: $out"
echo "$out" | grep -q '^piad_transitions_total{from="STEADY",to="AUTH"} 1$' ||
	fail "transition counter: $out"

note "SIGTERM: clean exit"
kill -TERM "$pid"
wait "$pid"; rc=$?
pid=
[ "$rc" = 0 ] || fail "piad exited $rc on SIGTERM"
grep -q "STEADY -> stopped (SIGTERM)" "$d/piad.log" || fail "no stop line"
[ ! -e "$sock" ] || fail "control socket left behind"
expect 2 "status after exit" "$CTL" -s "$sock" status

note "down: remove everything and exit"
PIAD_BACKEND=fake "$PIAD" -c "$conf" 2>"$d/piad2.log" &
pid=$!
for _ in $(seq 100); do [ -S "$sock" ] && break; sleep 0.05; done
expect 0 "down" "$CTL" -s "$sock" down
[ "$out" = "down: piad removes what it created and exits" ] || fail "down: $out"
wait "$pid"; rc=$?
pid=
[ "$rc" = 0 ] || fail "piad exited $rc after down"
grep -Eq "down: removing everything piad created \(down asked by pid [0-9]+\)" \
	"$d/piad2.log" || fail "no down line: $(cat "$d/piad2.log")"
[ ! -e "$sock" ] || fail "control socket left behind after down"
echo "PASS"
