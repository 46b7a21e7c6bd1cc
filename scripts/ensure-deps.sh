#!/usr/bin/env bash
# ensure-deps.sh - make sure the commands RVOS needs are on PATH.
#
# Usage: scripts/ensure-deps.sh [COMMAND...]
#
# With no arguments it checks the full set for building and testing; with
# arguments it checks only those (e.g. `make run` passes the toolchain and
# QEMU, `make debug` adds gdb-multiarch).  If anything is missing it runs
# scripts/install-deps.sh and checks again.  The name "matplotlib" (make
# memviz asks for it, nothing else does) stands for Debian's Python
# module, installed with scripts/install-deps.sh --memviz.  When everything is present it
# costs a few shell builtins, so make can call it on every run.
set -euo pipefail

DEFAULT_COMMANDS=(
    riscv64-unknown-elf-gcc
    qemu-system-riscv32
    qemu-system-riscv64
    gdb-multiarch
    clang-format
    cppcheck
    python3
    gcc
    clang
    libfuzzer
)

if [ $# -gt 0 ]; then
    wanted=("$@")
else
    wanted=("${DEFAULT_COMMANDS[@]}")
fi

# Is clang's libFuzzer runtime there?  (Debian ships it apart from clang.)
have_libfuzzer() {
    local dir
    dir=$(clang -print-resource-dir 2>/dev/null) || return 1
    [ -n "$(find "$dir/lib" -name 'libclang_rt.fuzzer*.a' 2>/dev/null)" ]
}

# Can Debian's python3 import matplotlib (python3-matplotlib)?
have_matplotlib() {
    /usr/bin/python3 -c 'import matplotlib' >/dev/null 2>&1
}

# Print the wanted commands that are not on PATH, space separated.  The
# name "libfuzzer" stands for clang's fuzzing runtime, not a command, and
# "matplotlib" for the Python module.
missing_commands() {
    local cmd absent=()
    for cmd in "${wanted[@]}"; do
        if [ "$cmd" = libfuzzer ]; then
            have_libfuzzer || absent+=("$cmd")
        elif [ "$cmd" = matplotlib ]; then
            have_matplotlib || absent+=("$cmd")
        else
            command -v "$cmd" >/dev/null 2>&1 || absent+=("$cmd")
        fi
    done
    echo "${absent[*]}"
}

missing=$(missing_commands)
[ -z "$missing" ] && exit 0

echo "RVOS: missing $missing; installing them with scripts/install-deps.sh"
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
others=" $missing "
if [[ "$others" == *" matplotlib "* ]]; then
    others=${others/ matplotlib / }
    if ! bash "$here/install-deps.sh" --memviz; then
        echo "RVOS: error: scripts/install-deps.sh --memviz failed; install python3-matplotlib by hand" >&2
        exit 1
    fi
fi
if [ -n "${others// /}" ] && ! bash "$here/install-deps.sh"; then
    echo "RVOS: error: scripts/install-deps.sh failed; install by hand: $missing" >&2
    exit 1
fi

hash -r
missing=$(missing_commands)
if [ -n "$missing" ]; then
    echo "RVOS: error: still missing after installing: $missing" >&2
    echo "RVOS: see scripts/install-deps.sh for the packages that provide them" >&2
    exit 1
fi
echo "RVOS: all required commands are now installed"
