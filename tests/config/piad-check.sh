# SPDX-License-Identifier: ISC
# `piad -n -c FILE` on every golden config, as a user runs it: exit 0 for
# the valid ones (and `-n -v` prints exactly the normalized config when it
# does not depend on the install prefix), exit 1 for the invalid ones with
# every expected problem line on stderr. Needs no root.
set -u
: "${top_srcdir:?}" "${top_builddir:?}"
piad=$top_builddir/piad
[ -x "$piad" ] || { echo "SKIP: $piad not built"; exit 77; }
cd "$top_srcdir/tests/config" || exit 1
out=$(mktemp) err=$(mktemp)
trap 'rm -f "$out" "$err"' EXIT
fail=0 n=0
for f in *.json; do
	case $f in *.normalized.json) continue ;; esac
	b=${f%.json}
	n=$((n + 1))
	"$piad" -n -c "$f" >"$out" 2>"$err"
	rc=$?
	if [ -f "$b.err" ]; then
		if [ $rc -ne 1 ]; then
			echo "FAIL: $f: exit $rc, expected 1"; fail=1; continue
		fi
		while IFS= read -r line; do
			grep -qF -- "$line" "$err" || {
				echo "FAIL: $f: missing on stderr: $line"
				cat "$err"; fail=1
			}
		done <"$b.err"
		continue
	fi
	if [ $rc -ne 0 ]; then
		echo "FAIL: $f: exit $rc, expected 0"; cat "$err"; fail=1
		continue
	fi
	grep -q '@DATADIR@' "$b.normalized.json" && continue
	"$piad" -n -v -c "$f" >"$out" 2>"$err" || {
		echo "FAIL: $f: -n -v exit $?"; fail=1; continue
	}
	cmp -s "$out" "$b.normalized.json" || {
		echo "FAIL: $f: -n -v output differs:"
		diff -u "$b.normalized.json" "$out"; fail=1
	}
done
[ $n -ge 4 ] || { echo "FAIL: only $n golden configs found"; exit 1; }
[ $fail -eq 0 ] && echo "$n configs checked with piad -n"
exit $fail
