# SPDX-License-Identifier: ISC
# e2e 7: after SIGKILL and after SIGTERM, a restarted piad adopts the
# session: same port, no addKey call, containers untouched.
. "$top_srcdir/tests/lib/netns.sh"
. "$top_srcdir/tests/e2e/lib.sh"

e2e_up
port=$(forwarded_port)
adds=$(addkey_count)
ino=$(stat -L -c %i "/run/netns/$APP")

for sig in KILL TERM; do
	piad_kill $sig
	piad_start
	wait_state STEADY 30
	assert_eq "$(forwarded_port)" "$port" "port after SIG$sig + restart"
	assert_eq "$(addkey_count)" "$adds" "addKey calls after SIG$sig + restart"
	assert_eq "$(stat -L -c %i "/run/netns/$APP")" "$ino" "container netns"
	assert_eq "$(web_seen "$BOX")" "$(server_ip)" "traffic after SIG$sig"
	note "SIG$sig: adopted port $port, no addKey"
done
grep -q "adopting session" "$PIAD_LOG" || fail "no adoption in the log"
