#!/usr/bin/env bash
# install_test.sh - installs the tree into a temporary prefix and builds the
# calculator example (examples/calculator) out of the tree against the
# installed copy, with pkg-config (against libbinder.so, and libbinder.a)
# and with find_package(binder), then runs each build's service and client against the installed binderd
# and servicemanager (through tests/with_services.sh).
#
# usage: install_test.sh BUILD_DIR SOURCE_DIR CC [EXTRA_CFLAGS]
# EXTRA_CFLAGS: flags the tree was built with that a program linking
# libbinder.so needs too (the sanitizers).
set -euo pipefail

build_dir=$1
source_dir=$2
cc=$3
extra_cflags=${4:-}

prefix=$(mktemp -d /tmp/binder-install.XXXXXX)
trap 'rm -rf "$prefix"' EXIT

fail() {
	echo "FAIL: $*" >&2
	exit 1
}

cmake --install "$build_dir" --prefix "$prefix/usr" >"$prefix/install.log" ||
	{ cat "$prefix/install.log" >&2; fail "cmake --install"; }
root=$prefix/usr
libdir=$(dirname "$(find "$root" -name 'binder.pc' -path '*/pkgconfig/*' | head -n 1)")
libdir=${libdir%/pkgconfig}
[ -d "$libdir" ] || fail "no binder.pc installed"
for file in sbin/binderd sbin/servicemanager sbin/bridged bin/binder-service \
	include/binder/binder.h include/binder/log.h include/binder/version.h; do
	[ -e "$root/$file" ] || fail "$file is not installed"
done
for file in libbinder.so libbinder.a pkgconfig/binder.pc cmake/binder/binderConfig.cmake \
	cmake/binder/binderConfigVersion.cmake; do
	[ -e "$libdir/$file" ] || fail "${libdir#"$root"/}/$file is not installed"
done

# Each build must use the installed libbinder.so, not the tree's.
check_linked() {
	local program=$1 linked
	linked=$(ldd "$program" | awk '$1 ~ /^libbinder\.so/ { print $3 }')
	if [ -z "$linked" ] || [ "$(dirname "$(realpath "$linked")")" != "$(realpath "$libdir")" ]; then
		ldd "$program" >&2
		fail "$program does not link $libdir/libbinder.so"
	fi
}

# pkg-config: the way a Makefile would do it.
export PKG_CONFIG_PATH=$libdir/pkgconfig
version=$(pkg-config --modversion binder)
echo "pkg-config: binder $version"
# The installed <binder/version.h> says the version binder.pc says.
printf '#include <binder/binder.h>\n#include <stdio.h>\nint main(void) { return puts(BINDER_VERSION_STRING) < 0; }\n' >"$prefix/version.c"
# shellcheck disable=SC2046
"$cc" $(pkg-config --cflags binder) -o "$prefix/version" "$prefix/version.c" ||
	fail "<binder/version.h> does not compile"
[ "$("$prefix/version")" = "$version" ] ||
	fail "BINDER_VERSION_STRING is $("$prefix/version"), binder.pc says $version"

mkdir "$prefix/with-pkg-config"
for program in calculator_service calculator_client; do
	# shellcheck disable=SC2046,SC2086
	"$cc" -std=gnu11 -Wall -Wextra -Werror $extra_cflags $(pkg-config --cflags binder) \
		-o "$prefix/with-pkg-config/$program" "$source_dir/examples/calculator/$program.c" \
		$(pkg-config --libs binder) -Wl,-rpath,"$(pkg-config --variable=libdir binder)" ||
		fail "$program does not build with pkg-config"
	check_linked "$prefix/with-pkg-config/$program"
done

# pkg-config again, with the static library.
mkdir "$prefix/with-pkg-config-static"
for program in calculator_service calculator_client; do
	# shellcheck disable=SC2046,SC2086
	"$cc" -std=gnu11 -Wall -Wextra -Werror $extra_cflags $(pkg-config --cflags binder) \
		-o "$prefix/with-pkg-config-static/$program" \
		"$source_dir/examples/calculator/$program.c" "$libdir/libbinder.a" \
		$(pkg-config --static --libs-only-other binder) ||
		fail "$program does not build with pkg-config and libbinder.a"
	! ldd "$prefix/with-pkg-config-static/$program" | grep -q libbinder ||
		fail "$program built with libbinder.a links libbinder.so"
done

# find_package: the example's own CMakeLists.txt, on its own.
cmake -S "$source_dir/examples/calculator" -B "$prefix/with-cmake" \
	-DCMAKE_PREFIX_PATH="$root" -DCMAKE_C_COMPILER="$cc" \
	-DCMAKE_C_FLAGS="-Wall -Wextra -Werror $extra_cflags" >"$prefix/cmake.log" ||
	{ cat "$prefix/cmake.log" >&2; fail "the example does not configure with find_package"; }
cmake --build "$prefix/with-cmake" >>"$prefix/cmake.log" 2>&1 ||
	{ cat "$prefix/cmake.log" >&2; fail "the example does not build with find_package"; }
for program in calculator_service calculator_client; do
	check_linked "$prefix/with-cmake/$program"
done

# Run each build against the installed daemons.
for build in with-pkg-config with-pkg-config-static with-cmake; do
	"$source_dir/tests/with_services.sh" "$root/sbin/binderd" "$root/sbin/servicemanager" \
		"$source_dir/tests/install/run_calculator.sh" "$prefix/$build" ||
		fail "the calculator built $build does not work"
	echo "ok: calculator built $build against the installed libbinder $version"
done
