# SPDX-License-Identifier: ISC
# e2e 2: from the internet side, serverPublicIP:PORT reaches the receiving
# container on its fixed internal port (TCP and UDP); the hook ran once,
# in the container, with the right environment.
. "$top_srcdir/tests/lib/netns.sh"
. "$top_srcdir/tests/e2e/lib.sh"

sim_up
conf_edit ".containers[\"$APP\"].on_port_forwarded = \"env | grep -E '^(PORT|TARGET_IP|TARGET_PORT|PROTOCOL|CONTAINER|PIA_SERVER_CN)=' | sort > $E2E_DIR/hook.env; echo \\\"\$PORT \$(ip -4 -o addr show eth0 | awk '{print \$4}')\\\" >> $E2E_DIR/hook.runs\""
piad_up

port=$(forwarded_port)
[ "$port" -ge 1024 ] 2>/dev/null || fail "piadctl port: '$port'"
srv=$(server_ip)
note "port $port on $srv"

ip netns exec "$APP" "$PIASIM" echo --port 51413 >/dev/null 2>&1 &
on_exit "kill $!"
ip netns exec "$APP" "$PIASIM" echo --port 51413 --udp >/dev/null 2>&1 &
on_exit "kill $!"
sleep 0.3

got=$("$PIASIM" probe --prefix "$P" "$srv" "$port" hello-tcp)
assert_eq "$got" hello-tcp "TCP echo through the forwarded port"
got=$("$PIASIM" probe --prefix "$P" --udp "$srv" "$port" hello-udp)
assert_eq "$got" hello-udp "UDP echo through the forwarded port"

wait_until 5 test -s "$E2E_DIR/hook.env" || fail "the hook did not run"
assert_eq "$(wc -l < "$E2E_DIR/hook.runs")" 1 "hook runs"
assert_eq "$(cat "$E2E_DIR/hook.runs")" "$port 10.100.0.10/24" \
    "hook saw the port and ran inside the container"
expected="CONTAINER=$APP
PIA_SERVER_CN=$(status_q .server.cn)
PORT=$port
PROTOCOL=both
TARGET_IP=10.100.0.10
TARGET_PORT=51413"
assert_eq "$(cat "$E2E_DIR/hook.env")" "$expected" "hook environment"
assert_eq "$(status_q .port_forward.status)" ok "port_forward.status"
assert_eq "$(status_q .port_forward.port)" "$port" "port_forward.port"
