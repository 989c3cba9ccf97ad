# SPDX-License-Identifier: ISC
#
# Shared helpers for the root-only shell tests (tests/netns, tests/e2e, ...).
# Source it first thing:  . "$top_srcdir/tests/lib/netns.sh"
#
# - skips the test (exit 77) when not root or a needed tool is missing;
# - gives every run a unique short tag ($T) to build netns and interface
#   names from, so tests run side by side and never collide;
# - registers cleanup that runs on any exit, failure included.
#
# Tests use only 192.0.2.0/24, 198.51.100.0/24, 203.0.113.0/24 and
# 10.100.0.0/24, only inside namespaces they create.

: "${top_srcdir:=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}"
: "${top_builddir:=$top_srcdir}"

skip() { echo "SKIP: $*"; exit 77; }
fail() { echo "FAIL: $*" >&2; exit 1; }
note() { echo "# $*"; }

[ "$(id -u)" -eq 0 ] || skip "needs root (network namespaces)"
for _t in ip nft; do command -v "$_t" >/dev/null || skip "needs $_t"; done

# A short unique tag: interface names are limited to 15 bytes.
T="t$(printf '%04x' $((RANDOM)))$(printf '%02x' $(( $$ % 256 )))"
export T

_cleanups=()
# Register a command (a string, run with eval) to run at exit, last first.
on_exit() { _cleanups+=("$1"); }
_run_cleanups() {
	local rc=$? i
	for (( i=${#_cleanups[@]}-1; i>=0; i-- )); do
		eval "${_cleanups[$i]}" >/dev/null 2>&1 || true
	done
	exit $rc
}
trap _run_cleanups EXIT
trap 'exit 130' INT TERM

# Create a netns that is removed at exit. Prints nothing.
mk_netns() {
	ip netns add "$1" || fail "cannot create netns $1"
	on_exit "ip netns pids '$1' 2>/dev/null | xargs -r kill -9; ip netns del '$1'"
	ip -n "$1" link set lo up
}

# Run a command inside a netns.
in_ns() { local ns=$1; shift; ip netns exec "$ns" "$@"; }

# Wait until a command succeeds, up to N tenths of a second.
wait_for() {
	local tenths=$1; shift
	while ! "$@" >/dev/null 2>&1; do
		tenths=$((tenths - 1))
		[ $tenths -gt 0 ] || return 1
		sleep 0.1
	done
}

# Compare two values; the message names what was expected.
assert_eq() {
	[ "$1" = "$2" ] || fail "${3:-value}: expected '$2', got '$1'"
}
