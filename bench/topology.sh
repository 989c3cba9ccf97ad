#!/bin/bash
# SPDX-License-Identifier: ISC
#
# Topology reconcile speed (not a test: prints numbers). In a scratch host
# netns, with 50 managed containers:
#   create     - the full topology from nothing          (target <= 1 s)
#   unchanged  - reconcile again, nothing to do          (target <= 20 ms,
#                                                          0 netlink writes)
#                (cold: a new process opening every netns and socket;
#                 warm: the best of 20 more in one process, as in piad)
#   add_one    - one more container next to the 50       (target <= 50 ms,
#                in a warm process                         the 50 untouched)
#   teardown   - remove everything
# Times are measured inside topo-tool around the library call (no process
# start). Run as root from a build tree:
#   top_builddir=/tmp/piad-build-NAME bench/topology.sh [COUNT] [ROUNDS]
top_srcdir=${top_srcdir:-$(cd "$(dirname "$0")/.." && pwd)}
. "$top_srcdir/tests/lib/netns.sh"
TOOL=$top_builddir/tests/netns/topo-tool
[ -x "$TOOL" ] || fail "build $TOOL first (make tests/netns/topo-tool)"
N=${1:-50}
ROUNDS=${2:-3}
[ "$N" -le 200 ] || fail "at most 200 containers in a /24"
H=$T-host
W=$(mktemp -d)
on_exit "rm -rf '$W'"
mk_netns "$H"
on_exit "for n in \$(ip netns list | awk '{print \$1}' | grep '^$T-'); do ip netns del \$n; done"
on_exit "'$TOOL' -H '$H' -r '$W/rec.json' teardown"

base=(-b "${T}br" -a 10.100.0.1/24 -v "$T-vpn=10.100.0.2"
	-m "$T-c:$N:10.100.0.10")
extra=$(printf '10.100.0.%d' $((10 + N)))
tool() { "$TOOL" -H "$H" -r "$W/rec.json" "$@"; }
get() { awk -v k="$1" '$1 == k { print $2 }' "$W/out"; }
ms() { awk -v us="$1" 'BEGIN { printf "%.2f", us / 1000 }'; }

printf '%-10s %10s %8s %8s\n' step ms writes actions
for r in $(seq 1 "$ROUNDS"); do
	tool reconcile "${base[@]}" >"$W/out" || fail "create failed"
	printf '%-10s %10s %8s %8s\n' create "$(ms "$(get elapsed_us)")" \
		"$(get writes)" "$(get actions)"
	tool reconcile "${base[@]}" >"$W/out" || fail "unchanged failed"
	printf '%-10s %10s %8s %8s\n' unch-cold "$(ms "$(get elapsed_us)")" \
		"$(get writes)" "$(get actions)"
	"$TOOL" -H "$H" -r "$W/rec.json" -k 20 reconcile "${base[@]}" \
		>"$W/out" || fail "unchanged failed"
	printf '%-10s %10s %8s %8s\n' unch-warm \
		"$(ms "$(get min_elapsed_us)")" "$(get writes)" "$(get actions)"
	"$TOOL" -H "$H" -r "$W/rec.json" -W reconcile "${base[@]}" \
		-c "$T-x=$extra" >"$W/out" || fail "add_one failed"
	other=$(grep '^action ' "$W/out" | grep -vc -e "$T-x" \
		-e "$("$TOOL" veth-name "$T-x")")
	printf '%-10s %10s %8s %8s   (%s actions on the other %s)\n' add_one \
		"$(ms "$(get elapsed_us)")" "$(get writes)" "$(get actions)" \
		"$other" "$N"
	tool teardown >"$W/out" || fail "teardown failed"
	printf '%-10s %10s %8s %8s\n' teardown "$(ms "$(get elapsed_us)")" \
		"$(get writes)" "$(get actions)"
done
