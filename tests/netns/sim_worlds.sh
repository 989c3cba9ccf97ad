#!/bin/bash
# SPDX-License-Identifier: ISC
#
# Two piasim worlds side by side (different prefixes, same addresses in
# different namespaces, different test PKIs), and `down` leaving nothing
# behind: no namespaces, no WireGuard devices or sockets, no processes
# with the prefix in their arguments, none of piasim's files.
. "$top_srcdir/tests/lib/netns.sh"
. "$top_srcdir/tests/sim/testlib.sh"

A=${T}a
B=${T}b
DA=/tmp/piasim-$A
DB=/tmp/piasim-$B
sim_up "$A" "$DA" --servers 3
sim_up "$B" "$DB" --servers 5 --regions 'r1,r2:nopf,r3,r4:offline'

note "both worlds answer, each with its own CA and list"
ta=$(get_token "$A" "$DA") || fail "token in $A"
tb=$(get_token "$B" "$DB") || fail "token in $B"
[ "$ta" != "$tb" ] || fail "same token in both worlds"
r=$(host_curl "$A" "$DA" --cacert "$DB/api-ca.crt" 2>/dev/null \
    https://serverlist.piaservers.net/vpninfo/servers/v6)
assert_eq "$(code_of "$r")" 000 "world A trusted with world B's CA"
assert_eq "$(status_q "$A" '.servers | length')" 3 "servers in A"
assert_eq "$(status_q "$B" '.servers | length')" 5 "servers in B"
assert_eq "$(status_q "$B" '[.regions[].id] | join(",")')" "r1,r2,r3,r4" \
    "regions in B"
assert_eq "$(status_q "$B" '[.regions[] | select(.offline) | .id] |
    join(",")')" r4 "offline region in B"
on_exit "rm -f '$DA.err'"
"$PIASIM" up --prefix "$A" --dir "$DA" 2>"$DA.err" && fail "second up of A"
assert_eq "$(cat "$DA.err")" "piasim: a world with prefix $A is already up" \
    "double up message"
rm -f "$DA.err"

"$PIASIM" up --prefix "Bad-Prefix" --dir "$DA.x" 2>"$DA.err"
assert_eq "$?" 2 "bad prefix exit code"
assert_eq "$(cat "$DA.err")" \
    "piasim: up needs --prefix (1-10 of a-z0-9) and --dir" "bad prefix message"
[ ! -e "$DA.x" ] || fail "bad prefix created its dir"
"$PIASIM" up --prefix "${T}c" --dir "$DA.x" --servers 9 2>"$DA.err"
assert_eq "$(cat "$DA.err")" "piasim: --servers must be 1..7" \
    "too many servers message"
[ -z "$(ip netns list | grep "^${T}c-")" ] || fail "refused up left netns"

note "down A leaves B running and nothing of A"
"$PIASIM" down --prefix "$A" || fail "down A"
[ -z "$(ip netns list | grep "^$A-")" ] || fail "netns of $A left"
[ -z "$(ls /var/run/wireguard 2>/dev/null | grep "^$A")" ] ||
    fail "UAPI sockets of $A left"
pgrep -f -- "$A" >/dev/null && fail "processes of $A left: $(pgrep -af -- "$A")"
[ ! -e "/run/piasim/$A" ] || fail "/run/piasim/$A left"
[ -z "$(ls -A "$DA" 2>/dev/null)" ] || fail "files left in $DA: $(ls "$DA")"
assert_eq "$("$PIASIM" status --prefix "$A" | jq -r .running)" false \
    "status of a world that is down"
get_token "$B" "$DB" >/dev/null || fail "B broken by down A"

note "down B"
"$PIASIM" down --prefix "$B" || fail "down B"
[ -z "$(ip netns list | grep "^$T")" ] || fail "netns left"
[ -z "$(ip -o link | grep "$T")" ] || fail "interfaces left"
pgrep -f -- "$T" >/dev/null && fail "processes left: $(pgrep -af -- "$T")"
exit 0
