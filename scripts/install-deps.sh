#!/usr/bin/env bash
# install-deps.sh - install everything needed to build, run and test RVOS.
#
# For a fresh Debian 12 or Ubuntu 22.04/24.04 machine with apt-get: the
# RISC-V cross compiler, QEMU for riscv32/64, gdb-multiarch, the host
# compiler and make, and the checking tools (clang-format, cppcheck,
# valgrind, python3 for tools/ktest.py; the build runs
# scripts/kallsyms.py too; clang and its libFuzzer runtime for the fuzz
# targets, lcov for make coverage).  Runs as root or through sudo.
# Safe to run again: when every package is installed it does nothing.
#
# With --bench it installs instead what only the benchmarks use (make
# bench-host, the plots): the other allocators and matplotlib.  With
# --memviz only matplotlib, for make memviz (tools/memviz.py).  make
# test never needs them.
set -euo pipefail

PACKAGES=(
    gcc-riscv64-unknown-elf # riscv64-unknown-elf-gcc, builds rv32 and rv64
    qemu-system-misc        # qemu-system-riscv32 and qemu-system-riscv64
    gdb-multiarch           # make debug, tools/gdb_test.py (with Python)
    make
    gcc                     # host build of the lib/ and mm/ tests
    libc6-dev               # headers and pthreads for the host build
    clang-format
    cppcheck
    python3                 # tools/ktest.py, scripts/kallsyms.py (every link)
    valgrind
    clang                   # the fuzz targets (tests/fuzz/), with libFuzzer
    lcov                    # make coverage: lcov and genhtml (gcov is gcc's)
)

# Newer Debian/Ubuntu releases may move the RISC-V emulators into a
# package of their own, and Debian 12 and Ubuntu 24.04 ship clang's
# libFuzzer apart from clang (Ubuntu 22.04 has it in clang's own
# packages); install these too where they exist.
OPTIONAL_PACKAGES=(qemu-system-riscv libclang-rt-dev)

BENCH_PACKAGES=(
    valgrind              # callgrind counts the host's instructions
    libjemalloc2          # LD_PRELOADed by tools/bench_host.py
    libtcmalloc-minimal4
    libmimalloc2.0
    python3-matplotlib    # tools/bench_plot.py
)

MEMVIZ_PACKAGES=(
    python3-matplotlib    # tools/memviz.py
)

BENCH=0
if [ "${1:-}" = "--bench" ]; then
    BENCH=1
    PACKAGES=("${BENCH_PACKAGES[@]}")
    OPTIONAL_PACKAGES=()
elif [ "${1:-}" = "--memviz" ]; then
    PACKAGES=("${MEMVIZ_PACKAGES[@]}")
    OPTIONAL_PACKAGES=()
fi

say() {
    echo "install-deps: $*"
}

die() {
    echo "install-deps: error: $*" >&2
    exit 1
}

is_installed() {
    dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'install ok installed'
}

command -v apt-get >/dev/null 2>&1 ||
    die "apt-get not found; install these packages by hand: ${PACKAGES[*]}"

missing=()
for pkg in "${PACKAGES[@]}"; do
    is_installed "$pkg" || missing+=("$pkg")
done
# An optional package apt knows already (say libclang-rt-dev, when clang
# is there without it) is missing too.
for pkg in "${OPTIONAL_PACKAGES[@]}"; do
    if ! is_installed "$pkg" && apt-cache show "$pkg" >/dev/null 2>&1; then
        missing+=("$pkg")
    fi
done
if [ ${#missing[@]} -eq 0 ]; then
    say "all packages already installed: ${PACKAGES[*]}"
    exit 0
fi

# Run a command as root: directly when we are root, else through sudo.
if [ "$(id -u)" -eq 0 ]; then
    AS_ROOT=()
elif command -v sudo >/dev/null 2>&1; then
    AS_ROOT=(sudo)
else
    die "not root and sudo is not installed; run as root to install: ${missing[*]}"
fi

export DEBIAN_FRONTEND=noninteractive
say "missing packages: ${missing[*]}"
say "running apt-get update"
"${AS_ROOT[@]}" apt-get update -q

# Check first that apt knows every package, to give a clear message
# (on Ubuntu the cross compiler lives in the "universe" component).  For
# the benchmarks a package apt does not know is only skipped: the
# benchmark then names what is missing.
to_install=()
for pkg in "${missing[@]}"; do
    if apt-cache show "$pkg" >/dev/null 2>&1; then
        to_install+=("$pkg")
    elif [ "$BENCH" = 1 ]; then
        say "apt does not know package '$pkg'; skipped"
    else
        die "apt does not know package '$pkg'" \
            "(on Ubuntu, enable 'universe': add-apt-repository universe)"
    fi
done
[ ${#to_install[@]} -gt 0 ] || exit 0
for pkg in "${OPTIONAL_PACKAGES[@]}"; do
    if ! is_installed "$pkg" && apt-cache show "$pkg" >/dev/null 2>&1; then
        to_install+=("$pkg")
    fi
done

say "installing: ${to_install[*]}"
"${AS_ROOT[@]}" env DEBIAN_FRONTEND=noninteractive \
    apt-get install -y -q --no-install-recommends "${to_install[@]}"
say "done"
