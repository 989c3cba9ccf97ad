# SPDX-License-Identifier: ISC
# e2e 9: rejected credentials: status says so, and piasim sees no more
# token requests than the 30 min backoff allows.
. "$top_srcdir/tests/lib/netns.sh"
. "$top_srcdir/tests/e2e/lib.sh"

sim_up
sim_fault bad-credentials
on_exit "piad_kill KILL; nsenter --net=/run/netns/$P-host '$PIAD' --teardown -c '$CONF' >/dev/null 2>&1"
trap '_e2e_dump; _run_cleanups' EXIT
piad_start
wait_until 15 sh -c "[ \"\$('$PIADCTL' -s '$SOCK' status --json | jq -r .result.credentials_rejected)\" = true ]" ||
	fail "status does not say the credentials were rejected"
status_q .last_error | grep -qi "credential\|401" ||
	fail "last_error does not name the problem: $(status_q .last_error)"
t0=$(sim_q .endpoints.token 2>/dev/null || sim_q '.requests.token')
sleep 8
t1=$(sim_q .endpoints.token 2>/dev/null || sim_q '.requests.token')
assert_eq "$t1" "$t0" "token requests during the backoff"
ctl status | grep -qi "credentials" || fail "the human status view does not say it"
note "token requests in total: $t1"
