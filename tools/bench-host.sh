#!/usr/bin/env bash
# bench-host.sh - instructions per 64-byte alloc+free pair on the host,
# counted by callgrind, for RVOS's kmalloc/kfree and for the C library's
# malloc/free with glibc, jemalloc, tcmalloc and mimalloc.
#
# Usage: tools/bench-host.sh build/host/bench/malloc-bench   (make bench-host)
#
# Each allocator runs twice, with N=1000 and N=11000 pairs after the same
# warm-up; the difference in total instructions divided by 10000 is the
# cost of one pair (alloc, free and the loop around them), with start-up,
# initialisation and warm-up cancelled out.  Installs nothing: an
# allocator whose library is missing is skipped with a note.
set -euo pipefail

BENCH=${1:-build/host/bench/malloc-bench}
N1=1000
N2=11000
LIBDIR=${BENCH_LIBDIR:-/usr/lib/$(gcc -print-multiarch 2>/dev/null || echo x86_64-linux-gnu)}

if ! command -v valgrind >/dev/null; then
	echo "bench-host: valgrind is missing (sudo apt-get install valgrind)" >&2
	exit 1
fi
if [ ! -x "$BENCH" ]; then
	echo "bench-host: $BENCH not built (make build/host/bench/malloc-bench)" >&2
	exit 1
fi

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# ir PRELOAD MODE N: total instructions of one run under callgrind.
ir() {
	local out="$tmp/callgrind.out"
	if [ -n "$1" ]; then
		LD_PRELOAD="$1" valgrind --tool=callgrind --callgrind-out-file="$out" \
			"$BENCH" "$2" "$3" >/dev/null 2>"$tmp/log"
	else
		valgrind --tool=callgrind --callgrind-out-file="$out" \
			"$BENCH" "$2" "$3" >/dev/null 2>"$tmp/log"
	fi || { cat "$tmp/log" >&2; return 1; }
	awk '/^summary:/ { print $2 }' "$out"
}

# row NAME PRELOAD MODE
row() {
	local a b
	a=$(ir "$2" "$3" "$N1")
	b=$(ir "$2" "$3" "$N2")
	awk -v n="$1" -v a="$a" -v b="$b" -v d=$((N2 - N1)) \
		'BEGIN { printf "%-24s %8.1f\n", n, (b - a) / d }'
}

echo "Instructions per 64-byte alloc+free pair (callgrind, (Ir(N=$N2) - Ir(N=$N1)) / $((N2 - N1))):"
printf "%-24s %8s\n" allocator instr/pair
row "rvos kmalloc/kfree" "" rvos
row "glibc malloc/free" "" libc
skipped=()
for spec in "jemalloc:libjemalloc.so.2:libjemalloc2" \
	"tcmalloc (minimal):libtcmalloc_minimal.so.4:libtcmalloc-minimal4" \
	"mimalloc:libmimalloc.so.2:libmimalloc2.0"; do
	IFS=: read -r name so pkg <<<"$spec"
	if [ -e "$LIBDIR/$so" ]; then
		row "$name" "$LIBDIR/$so" libc
	else
		printf "%-24s %8s\n" "$name" skipped
		skipped+=("$name: $LIBDIR/$so missing (sudo apt-get install $pkg)")
	fi
done
for s in "${skipped[@]+"${skipped[@]}"}"; do
	echo "note: $s"
done
