# SPDX-License-Identifier: ISC
# e2e 6: a forced renew swaps the key (piasim sees the new key) while a
# long TCP transfer through the tunnel completes intact.
. "$top_srcdir/tests/lib/netns.sh"
. "$top_srcdir/tests/e2e/lib.sh"
command -v socat >/dev/null || skip "needs socat"

e2e_up
idx=$(sim_q "[.servers[].cn] | index(\"$(status_q .server.cn)\")")
key1=$(sim_q ".servers[$idx].peers[0].public_key")

# A sink on the web host counts what arrives; a paced sender in the
# container keeps the connection busy for about 4 s.
ip netns exec "$P-web" socat -u TCP-LISTEN:9000,reuseaddr \
    SYSTEM:"wc -c > $E2E_DIR/received" &
sink=$!
on_exit "kill $sink"
sleep 0.2
ip netns exec "$BOX" sh -c 'for i in $(seq 40); do head -c 100000 /dev/zero; sleep 0.1; done' |
    ip netns exec "$BOX" socat -u - TCP:192.0.2.80:9000 &
sender=$!
sleep 1
ctl renew >/dev/null || fail "piadctl renew refused"
wait "$sender" || fail "the transfer broke during renew"
wait_until 5 test -s "$E2E_DIR/received" || fail "the sink got nothing"
assert_eq "$(tr -d ' ' < "$E2E_DIR/received")" 4000000 "bytes received"

wait_state STEADY 15
key2=$(sim_q ".servers[$idx].peers[0].public_key")
[ "$key2" != "$key1" ] || fail "piasim still has the old key"
assert_eq "$(sim_q "[.servers[$idx].peers[].public_key] | length")" 1 \
    "keys registered on the server"
assert_eq "$(status_q .counters.renewals)" 1 "renewals counted"
assert_eq "$(web_seen "$BOX")" "$(server_ip)" "traffic after renew"
