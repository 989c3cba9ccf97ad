# SPDX-License-Identifier: ISC
# e2e 5: bindPort repeats at timers.port_refresh; a 409 busy and an expired
# signature each bring a new port, a new DNAT and a hook run; port
# forwarding trouble never stops traffic.
. "$top_srcdir/tests/lib/netns.sh"
. "$top_srcdir/tests/e2e/lib.sh"

sim_up
conf_edit '.timers.port_refresh = "2s"'
conf_edit ".containers[\"$APP\"].on_port_forwarded = \"echo \$PORT >> $E2E_DIR/hook.runs\""
piad_up
srv=$(server_ip)
port1=$(forwarded_port)
ip netns exec "$APP" "$PIASIM" echo --port 51413 >/dev/null 2>&1 &
on_exit "kill $!"

# Refreshes at the configured interval.
b0=$(bind_count)
sleep 7
b1=$(bind_count)
[ $((b1 - b0)) -ge 2 ] || fail "only $((b1 - b0)) binds in 7 s with port_refresh 2s"
note "binds in 7 s: $((b1 - b0))"

# 409 busy: a new signature, a new port.
sim_fault busy
wait_until 15 sh -c "[ \"\$('$PIADCTL' -s '$SOCK' port)\" != '$port1' ]" ||
	fail "no new port after 409 busy"
"$PIASIM" fault --prefix "$P" clear >/dev/null
wait_until 10 sh -c "[ \"\$('$PIADCTL' -s '$SOCK' status --json | jq -r .result.port_forward.status)\" = ok ]" ||
	fail "port forwarding did not recover after busy"
port2=$(forwarded_port)
note "busy: $port1 -> $port2"
assert_eq "$(web_seen "$BOX")" "$srv" "traffic during PF trouble"
assert_eq "$("$PIASIM" probe --prefix "$P" "$srv" "$port2" p2)" p2 \
    "echo through the new port"

# Expiry: the clock jumps past expires_at.
sim_fault expire
wait_until 15 sh -c "p=\$('$PIADCTL' -s '$SOCK' port); [ \"\$p\" != '$port2' ] && [ \"\$p\" != '$port1' ] && [ -n \"\$p\" ]" ||
	fail "no new port after expiry"
port3=$(forwarded_port)
note "expired: $port2 -> $port3"
assert_eq "$("$PIASIM" probe --prefix "$P" "$srv" "$port3" p3)" p3 \
    "echo through the port after expiry"
assert_eq "$(web_seen "$BOX")" "$srv" "traffic after expiry"
wait_until 5 sh -c "[ \$(sort -u $E2E_DIR/hook.runs | wc -l) -ge 3 ]" ||
	fail "the hook did not run for each new port: $(tr '\n' ' ' < "$E2E_DIR/hook.runs")"
assert_eq "$(status_q .state)" STEADY "state"

# A port below 1024 is refused: never a DNAT rule, a new signature later.
sim_fault low-port
sim_fault busy
wait_until 15 sh -c "[ \"\$('$PIADCTL' -s '$SOCK' status --json | jq -r .result.port_forward.status)\" = retrying ]" ||
	fail "a low port was not refused"
status_q .last_error | grep -qi "port" ||
	fail "last_error does not say why: $(status_q .last_error)"
ip netns exec "$P-vpn" nft list table inet piad | grep -Eo 'dport [0-9]+' |
    while read -r _ p; do
	[ "$p" -ge 1024 ] || fail "a DNAT rule for port $p"
done
assert_eq "$(web_seen "$BOX")" "$srv" "traffic while PF is refused"
"$PIASIM" fault --prefix "$P" clear >/dev/null
wait_until 40 sh -c "[ \"\$('$PIADCTL' -s '$SOCK' status --json | jq -r .result.port_forward.status)\" = ok ]" ||
	fail "port forwarding did not recover after low ports"
port4=$(forwarded_port)
[ "$port4" -ge 1024 ] || fail "port $port4 after recovery"
note "low port refused, then $port4"
