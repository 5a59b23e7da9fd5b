#!/usr/bin/env bash
# scripts/test.sh - the one command that runs every test on a fresh Debian 12
# machine: installs the Debian packages the project needs (as root, when any
# is missing), builds twice (plain, and with ASan+UBSan), and runs ctest on
# both builds. CI (.ci/run) runs exactly this.
#
# Environment: BUILD_ROOT (default: the source tree) holds build/ and
# build-asan/; JOBS (default: nproc) for the build.
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
build_root=${BUILD_ROOT:-$top}
jobs=${JOBS:-$(nproc)}

packages=(
	build-essential cmake pkg-config clang clang-format clang-tidy
	libevent-dev libssl-dev libprotobuf-c-dev protobuf-c-compiler
	libcriterion-dev uthash-dev libinih-dev
	qemu-system-x86 busybox-static
	iproute2 nftables curl openssl
)

missing=()
for package in "${packages[@]}"; do
	dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" ||
		missing+=("$package")
done
# The kernel with binder_linux.ko, for the tests on the real driver: the
# newest Debian 12 kernel image (its ABI number changes with updates).
if ! ls /lib/modules/*/kernel/drivers/android/binder_linux.ko >/dev/null 2>&1; then
	missing+=(KERNEL)
fi

if [ ${#missing[@]} -gt 0 ]; then
	if [ "$(id -u)" -ne 0 ]; then
		echo "test.sh: missing packages (${missing[*]}); run as root to install them" >&2
		exit 1
	fi
	echo "== installing: ${missing[*]}"
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -q
	install=()
	for package in "${missing[@]}"; do
		if [ "$package" = KERNEL ]; then
			kernel=$(apt-cache search --names-only '^linux-image-6\.1\.0-[0-9]+-amd64-unsigned$' |
				cut -d' ' -f1 | sort -V | tail -n 1)
			[ -n "$kernel" ] && install+=("$kernel")
		else
			install+=("$package")
		fi
	done
	apt-get install -y -q --no-install-recommends "${install[@]}"
fi

# run_build DIR CTEST_ARGS -- CMAKE_ARGS...
run_build() {
	local dir=$1 ctest_args=$2
	shift 3
	echo "== configuring $dir ($*)"
	cmake -S "$top" -B "$dir" "$@"
	echo "== building $dir"
	cmake --build "$dir" -j "$jobs"
	echo "== testing $dir"
	# shellcheck disable=SC2086
	ctest --test-dir "$dir" --output-on-failure --timeout 900 $ctest_args
}

run_build "$build_root/build" "" -- -DCMAKE_BUILD_TYPE=RelWithDebInfo
ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1} \
	run_build "$build_root/build-asan" "" -- -DCMAKE_BUILD_TYPE=Debug -DBINDER_SANITIZE=ON
# A sanitizer report fails the run even where the process that printed it
# exited 0 (Criterion's test workers, children of a test): ctest keeps
# every test's output in LastTest.log.
if grep -nE "ERROR: (AddressSanitizer|LeakSanitizer)|runtime error:" \
	"$build_root/build-asan/Testing/Temporary/LastTest.log"; then
	echo "== sanitizer reports in the tests' output (above)" >&2
	exit 1
fi
# The fuzz target (clang's libFuzzer), run for a bounded time.
run_build "$build_root/build-fuzz" "-L fuzz" -- -DCMAKE_BUILD_TYPE=RelWithDebInfo \
	-DCMAKE_C_COMPILER=clang -DBINDER_FUZZ=ON
echo "== all tests passed"
