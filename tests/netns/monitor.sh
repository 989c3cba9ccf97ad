# SPDX-License-Identifier: ISC
#
# Link monitor, as root, in a test netns: a veth deleted and recreated
# shows up as removed then added (and up again), carrier loss as down, a
# rename as removed + added, a move to another netns as removed; links that
# existed before the monitor started are not reported. With a tiny receive
# buffer and a pile of changes the kernel drops messages: the monitor
# re-dumps, reports every new link anyway, and says "resync".
. "$top_srcdir/tests/lib/netns.sh"

TOOL=$top_builddir/tests/netns/monitor-tool
[ -x "$TOOL" ] || fail "missing $TOOL"
N=$T-m
W=$(mktemp -d)
on_exit "rm -rf '$W'"
mk_netns "$N"
mk_netns "$T-o"
ip -n "$N" link add "${T}a" type veth peer name "${T}b"

"$TOOL" -t 30 "$N" >"$W/out" 2>"$W/err" &
pid=$!
on_exit "kill $pid"
wait_for 50 grep -q '^ready$' "$W/out" || fail "monitor did not start: $(cat "$W/err")"

# Wait for an exact event line; print the line number it is on.
expect() {
	wait_for 50 grep -qx "$1" "$W/out" ||
		fail "no event '$1'; got: $(tr '\n' '|' <"$W/out") $(cat "$W/err")"
	grep -nx "$1" "$W/out" | tail -n 1 | cut -d: -f1
}
ev() { printf '%s %s %s' "$1" "$2" "$(ip -n "$N" -o link show "$2" | cut -d: -f1)"; }

ip -n "$N" link set "${T}a" up
ip -n "$N" link set "${T}b" up
expect "$(ev up "${T}a")" >/dev/null
expect "$(ev up "${T}b")" >/dev/null
grep -q '^added lo ' "$W/out" && fail "reported a link that existed before"
grep -q "^added ${T}a " "$W/out" && fail "reported ${T}a as added though it existed"

# Delete and recreate the pair.
old=$(ip -n "$N" -o link show "${T}a" | cut -d: -f1)
ip -n "$N" link del "${T}a"
l_rm=$(expect "removed ${T}a $old")
expect "removed ${T}b [0-9]*" >/dev/null
ip -n "$N" link add "${T}a" type veth peer name "${T}b"
l_add=$(expect "$(ev added "${T}a")")
[ "$l_add" -gt "$l_rm" ] || fail "added came before removed"
expect "$(ev added "${T}b")" >/dev/null
ip -n "$N" link set "${T}a" up
ip -n "$N" link set "${T}b" up
l_up=$(expect "$(ev up "${T}a")")
[ "$l_up" -gt "$l_add" ] || fail "no up after the recreation"

# Carrier loss: the peer going down takes ours down too.
ip -n "$N" link set "${T}b" down
expect "$(ev down "${T}a")" >/dev/null
expect "$(ev down "${T}b")" >/dev/null

# Rename and move away.
idx=$(ip -n "$N" -o link show "${T}a" | cut -d: -f1)
ip -n "$N" link set "${T}a" name "${T}c"
expect "removed ${T}a $idx" >/dev/null
expect "added ${T}c $idx" >/dev/null
idx=$(ip -n "$N" -o link show "${T}b" | cut -d: -f1)
ip -n "$N" link set "${T}b" netns "$T-o"
expect "removed ${T}b $idx" >/dev/null
kill "$pid"; wait "$pid" 2>/dev/null
grep -q '^resync' "$W/out" && fail "resync without overrun"

# Overrun: 4 KiB of buffer, 100 veth pairs created while it is not read.
rm -f "$W/go"
"$TOOL" -t 30 -b 4096 -w "$W/go" "$N" >"$W/out2" 2>"$W/err2" &
pid=$!
on_exit "kill $pid"
wait_for 50 grep -q '^ready$' "$W/out2" || fail "monitor 2 did not start"
for i in $(seq 1 100); do
	echo "link add ${T}p$i type veth peer name ${T}q$i"
done >"$W/batch"
ip -n "$N" -batch "$W/batch" || fail "cannot create the veth pairs"
touch "$W/go"
wait_for 100 grep -q '^resync - 0$' "$W/out2" ||
	fail "no resync after the overrun: $(tail -n 3 "$W/out2") $(cat "$W/err2")"
# Every pair is reported although messages were lost.
wait_for 50 test "$(grep -c "^added ${T}[pq][0-9]* " "$W/out2")" -ge 200 ||
	fail "links reported: $(grep -c "^added ${T}[pq]" "$W/out2") of 200"
assert_eq "$(grep "^added ${T}[pq][0-9]* " "$W/out2" | awk '{print $2}' | sort -u | wc -l)" \
	200 "distinct links reported"
kill "$pid"; wait "$pid" 2>/dev/null
n=$(awk '$1 == "overruns" { print $2 }' "$W/out2")
[ "${n:-0}" -ge 1 ] || fail "overruns counter: '${n}'"
grep -q "kernel dropped link messages, resyncing" "$W/err2" ||
	fail "no warning about the overrun"
echo "PASS"
