#!/usr/bin/env bash
# scripts/demo.sh - the demo: on a fresh Debian 12 machine (as root, or as
# any user once the packages are there) installs the build dependencies and
# the demo's tools (iproute2, openssl), builds binderd, servicemanager,
# bridged, binder-service and the examples in build-demo/, then runs the
# two-host demo, deploy/demo_two_hosts.sh: host A and host B, each with its
# own binderd, servicemanager and bridged (in two network namespaces where
# it may make them, else on two loopback addresses), the example services
# on B and their clients on A, across mutual TLS. Exit status 0 when every
# step worked and printed what it should.
#
# Environment: BUILD_DIR (default: build-demo in the source tree); JOBS
# (default: nproc) for the build; DEMO_NO_NETNS=1 and DEMO_PORT are passed
# on to deploy/demo_two_hosts.sh (see there).
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
build=${BUILD_DIR:-$top/build-demo}
jobs=${JOBS:-$(nproc)}

# What the build needs (scripts/test.sh installs these and the test tools),
# and what the two-host demo runs: ip (network namespaces), openssl
# (certs/make_certs.sh).
packages=(
	build-essential cmake pkg-config
	libevent-dev libssl-dev libprotobuf-c-dev protobuf-c-compiler
	uthash-dev libinih-dev
	iproute2 openssl
)

step() { printf '\n== %s\n' "$*"; }
fail() {
	printf 'demo: FAILED: %s\n' "$*" >&2
	exit 1
}

# ---- packages ----
missing=()
for package in "${packages[@]}"; do
	dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" ||
		missing+=("$package")
done
if [ ${#missing[@]} -gt 0 ]; then
	[ "$(id -u)" -eq 0 ] || fail "missing packages (${missing[*]}); run as root to install them"
	step "installing ${missing[*]}"
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -q
	apt-get install -y -q --no-install-recommends "${missing[@]}"
fi

# ---- build ----
targets=(binderd servicemanager bridged binder-service calculator_service calculator_client
	callback_service callback_client)
step "building ${targets[*]} in $build"
cmake -S "$top" -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DBINDER_TESTS=OFF >/dev/null
cmake --build "$build" -j "$jobs" --target "${targets[@]}" >/dev/null
binderd=$build/driver/binderd
servicemanager=$build/driver/servicemanager/servicemanager
bridged=$build/bridged/bridged
service_tool=$build/tools/service/binder-service
examples=$build/examples
for program in "$binderd" "$servicemanager" "$bridged" "$service_tool" \
	"$examples/calculator/calculator_service" \
	"$examples/calculator/calculator_client" "$examples/callback/callback_service" \
	"$examples/callback/callback_client"; do
	[ -x "$program" ] || fail "the build did not make $program"
done

# ---- run ----
# The two-host demo: it prints each step, checks what each prints, cleans up
# after itself on any exit, and its exit status is the demo's.
BUILD_DIR=$build exec bash "$top/deploy/demo_two_hosts.sh"
