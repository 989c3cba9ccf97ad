# SPDX-License-Identifier: ISC
# e2e 8: a container added by SIGHUP works while the others keep their
# connections; a broken file is refused with its message in the reply and
# in status, and the old config keeps running.
. "$top_srcdir/tests/lib/netns.sh"
. "$top_srcdir/tests/e2e/lib.sh"
command -v socat >/dev/null || skip "needs socat"

e2e_up
srv=$(server_ip)
# A long-lived connection from BOX to the web host.
ip netns exec "$P-web" socat TCP-LISTEN:9001,reuseaddr EXEC:cat &
on_exit "kill $!"
sleep 0.2
mkfifo "$E2E_DIR/in"
ip netns exec "$BOX" socat -u "PIPE:$E2E_DIR/in" TCP:192.0.2.80:9001 &
conn=$!
exec 9>"$E2E_DIR/in"
on_exit "exec 9>&-; kill $conn"
echo one >&9
sleep 0.3
kill -0 $conn || fail "the long-lived connection did not open"

NEW=$P-new
conf_edit ".containers[\"$NEW\"] = {\"address\": \"10.100.0.12\"}"
kill -HUP "$PIAD_PID"
wait_until 15 sh -c "[ \"\$(ip netns exec $NEW curl -s --max-time 2 http://192.0.2.80/)\" = '$srv' ]" ||
	fail "the new container $NEW has no traffic through the tunnel"
echo two >&9
sleep 0.3
kill -0 $conn || fail "the old connection from $BOX died on reload"
ip netns exec "$BOX" ss -Htn state established '( dport = :9001 )' |
    grep -q 9001 || fail "the old connection is not established any more"
note "reload: $NEW added, $BOX kept its connection"

# A region change: AUTH on the same interface (same ifindex), the
# containers untouched.
ifidx=$(ip -n "$P-vpn" -o link show "${P}pia" | cut -d: -f1)
conf_edit '.region = "nl_amsterdam"'
kill -HUP "$PIAD_PID"
wait_until 20 sh -c "[ \"\$('$PIADCTL' -s '$SOCK' status --json | jq -r '.result.server.region')\" = nl_amsterdam ] && [ \"\$('$PIADCTL' -s '$SOCK' status --json | jq -r .result.state)\" = STEADY ]" ||
	fail "no move to region nl_amsterdam"
srv=$(server_ip)
assert_eq "$(web_seen "$NEW")" "$srv" "traffic after the region change"
assert_eq "$(ip -n "$P-vpn" -o link show "${P}pia" | cut -d: -f1)" "$ifidx" \
    "WireGuard ifindex after the region change"
note "region change: now $(status_q .server.cn) ($srv)"

# A broken file: refused, reported, old config still in charge.
cp "$CONF" "$CONF.good"
printf '{ "region": ' > "$CONF"
out=$(ctl reload 2>&1) && fail "reload of a broken file succeeded"
echo "$out" | grep -q "line 1" || fail "reload reply lacks the parse error: $out"
status_q .last_error | grep -q "line 1" || fail "status.last_error lacks it"
assert_eq "$(status_q .state)" STEADY "state after a refused reload"
assert_eq "$(web_seen "$NEW")" "$srv" "traffic after a refused reload"
cp "$CONF.good" "$CONF"
