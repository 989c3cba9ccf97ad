# SPDX-License-Identifier: ISC
# Replays every fuzz target's seed corpus (tests/fuzz/corpus/NAME/) through
# the target built with the standalone main: each seed must not crash.
set -eu
: "${top_srcdir:?}" "${top_builddir:?}"
n=0
for t in ${FUZZ_TARGETS:-}; do
	name=${t##*/fuzz_}
	dir=$top_srcdir/tests/fuzz/corpus/$name
	[ -d "$dir" ] || { echo "FAIL: no corpus for $name ($dir)"; exit 1; }
	"$top_builddir/$t" "$dir"/* || { echo "FAIL: $name crashed on its corpus"; exit 1; }
	n=$((n + 1))
done
[ $n -gt 0 ] || { echo "SKIP: no fuzz targets yet"; exit 77; }
echo "$n corpora replayed"
