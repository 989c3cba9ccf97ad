# SPDX-License-Identifier: ISC
#
# End-to-end test helpers: a piasim world (tests/sim) with piad running in
# its host netns on the generated config, as a user would run it. Source
# after tests/lib/netns.sh:
#
#	. "$top_srcdir/tests/lib/netns.sh"
#	. "$top_srcdir/tests/e2e/lib.sh"
#	e2e_up			# world + piad, waits for STEADY
#
# Everything is removed at exit: piad --teardown (its netns, bridge,
# tables), the world, the temp dir.

PIASIM=${PIASIM:-$top_builddir/tests/sim/piasim}
PIAD=${PIAD:-$top_builddir/piad}
PIADCTL=${PIADCTL:-$top_builddir/piadctl}
for _b in "$PIASIM" "$PIAD" "$PIADCTL"; do
	[ -x "$_b" ] || skip "not built: $_b"
done
for _t in curl jq wireguard-go; do
	command -v "$_t" >/dev/null || skip "needs $_t"
done

E2E_DIR=$(mktemp -d /tmp/piad-e2e.XXXXXX)
P=$T				# world prefix: netns $P-host, $P-inet, ...
APP=$P-app			# the container that receives the port
BOX=$P-box			# a container that does not
CONF=$E2E_DIR/piad.json
SOCK=$E2E_DIR/piad.sock
PIAD_LOG=$E2E_DIR/piad.log
PIAD_PID=

on_exit "rm -rf '$E2E_DIR'"

# Show piad's log when a test fails, so CI logs say why.
_e2e_dump() {
	local rc=$?
	if [ $rc -ne 0 ] && [ $rc -ne 77 ] && [ -f "$PIAD_LOG" ]; then
		echo "--- piad log (last 150 lines)"
		tail -n 150 "$PIAD_LOG"
		echo "--- piasim status"
		"$PIASIM" status --prefix "$P" 2>/dev/null | head -c 4000
		echo
	fi
	return $rc
}

sim_up() {
	on_exit "'$PIASIM' down --prefix '$P'"
	"$PIASIM" up --prefix "$P" --dir "$E2E_DIR" "$@" >/dev/null ||
		fail "piasim up failed"
	conf_edit '.log.level = "info"'
}

# Edit the generated config with a jq filter.
conf_edit() {
	jq "$1" "$CONF" > "$CONF.new" && mv "$CONF.new" "$CONF" ||
		fail "cannot edit the config with: $1"
}

piad_start() {
	# nsenter, not `ip netns exec`: the latter gives piad a private mount
	# namespace, and the /run/netns mounts it makes would not be seen.
	nsenter --net="/run/netns/$P-host" "$PIAD" \
	    -c "$CONF" >>"$PIAD_LOG" 2>&1 &
	PIAD_PID=$!
}

piad_kill() {	# SIGNAL
	[ -n "$PIAD_PID" ] || return 0
	kill "-$1" "$PIAD_PID" 2>/dev/null
	wait "$PIAD_PID" 2>/dev/null
	PIAD_PID=
}

ctl() { "$PIADCTL" -s "$SOCK" "$@"; }
status_q() { ctl status --json | jq -r ".result$1"; }

# wait_state STATE SECONDS
wait_state() {
	local want=$1 left=$(( $2 * 10 )) st=
	while [ $left -gt 0 ]; do
		st=$(status_q .state 2>/dev/null)
		[ "$st" = "$want" ] && return 0
		sleep 0.1
		left=$((left - 1))
	done
	fail "piad did not reach $want in $2 s (state: ${st:-no answer})"
}

# wait_until SECONDS CMD...: poll a condition.
wait_until() {
	local left=$(( $1 * 10 )); shift
	while ! "$@" >/dev/null 2>&1; do
		left=$((left - 1))
		[ $left -gt 0 ] || return 1
		sleep 0.1
	done
}

# piad on the (possibly edited) config, in STEADY.
piad_up() {
	on_exit "piad_kill KILL; nsenter --net=/run/netns/$P-host '$PIAD' --teardown -c '$CONF' >>'$PIAD_LOG' 2>&1"
	trap '_e2e_dump; _run_cleanups' EXIT
	piad_start
	wait_state STEADY 30
}

# World plus piad in STEADY.
e2e_up() {
	sim_up "$@"
	piad_up
}

# What the web host saw as our source address, from container NAME.
web_seen() {
	ip netns exec "$1" curl -s --max-time 5 http://192.0.2.80/
}

# The public IP of the server piad uses now.
server_ip() { status_q .server.ip; }
forwarded_port() { ctl port; }
leaks() { "$PIASIM" status --prefix "$P" | jq -r '.leaks.packets'; }

# A fast liveness probe so failures are seen in seconds, not 30 s.
fast_timers() {
	conf_edit '.timers.probe_interval = "1s"'
}

# piasim counters.
sim_q() { "$PIASIM" status --prefix "$P" | jq -r "$1"; }
addkey_count() { sim_q '[.servers[].requests.addKey] | add'; }
bind_count() { sim_q '[.servers[].requests.bindPort] | add'; }
sim_fault() { "$PIASIM" fault --prefix "$P" "$@" >/dev/null || fail "piasim fault $*"; }

# The uplink address: the web host must never see it (that is a leak).
UPLINK=198.51.100.2
