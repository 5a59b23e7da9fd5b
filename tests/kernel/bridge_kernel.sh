#!/usr/bin/env bash
# Host side of the bridge_kernel ctest: the two-host bridge scenario on the
# kernel's binder driver, in one qemu guest. binder_linux is loaded with
# devices=binder,hostb: "host A" is /dev/binder, "host B" is /dev/hostb,
# each with its own servicemanager, and two bridged processes link them
# over loopback TLS.
#
# Usage: bridge_kernel.sh [--timeout SECONDS] [--port PORT] [--keep DIR]
#                         BINARY...
#
# BINARY: the programs the guest needs (bridged, servicemanager,
# calculator_service, calculator_client, callback_service, callback_client,
# binder-service); each goes to the guest's /bin with its libraries.
#
# Here: certs/make_certs.sh makes a CA and the hosta / hostb certificates
# in a temporary directory, and the two bridged configs are written next to
# them; all go into the guest's /etc/bridged. Then run_in_guest.sh boots
# the guest and runs bridge_in_guest.sh (which says what is checked).
# --keep DIR keeps the certificates and configs there (for a look after a
# failure). Exits with the guest's status (125: the guest never reported).
set -u

here=$(cd "$(dirname "$0")" && pwd)
make_certs=$here/../../certs/make_certs.sh

die() {
	echo "bridge_kernel: $*" >&2
	exit 125
}

timeout_seconds=420
port=7000
keep=
while [ $# -gt 0 ]; do
	case $1 in
	--timeout)
		[ $# -ge 2 ] || die "--timeout needs a value"
		timeout_seconds=$2
		shift 2
		;;
	--port)
		[ $# -ge 2 ] || die "--port needs a value"
		port=$2
		shift 2
		;;
	--keep)
		[ $# -ge 2 ] || die "--keep needs a value"
		keep=$2
		shift 2
		;;
	--)
		shift
		break
		;;
	-*) die "unknown option '$1'" ;;
	*) break ;;
	esac
done
[ $# -gt 0 ] || die "no binaries given"
case $port in
'' | *[!0-9]*) die "--port must be a number" ;;
esac
[ -x "$make_certs" ] || die "cannot run $make_certs"
command -v openssl >/dev/null || die "openssl not found (make_certs.sh needs it)"

if [ -n "$keep" ]; then
	mkdir -p "$keep" || die "cannot make $keep"
	work=$(cd "$keep" && pwd)
else
	work=$(mktemp -d "${TMPDIR:-/tmp}/bridge_kernel.XXXXXX") || die "mktemp failed"
	trap 'rm -rf "$work"' EXIT
fi
trap 'exit 130' INT TERM

"$make_certs" --force "$work" hosta hostb >"$work/make_certs.log" 2>&1 ||
	die "make_certs.sh failed: $(cat "$work/make_certs.log")"

# Generous limits: the guest runs under software emulation, where a TLS
# handshake or a quiet spell can take much longer than on a real host.
limits() {
	cat <<EOF

[limits]
call_timeout_ms = 120000
handshake_timeout_ms = 60000
keepalive_interval_ms = 10000
keepalive_timeout_ms = 120000
reconnect_min_ms = 100
reconnect_max_ms = 2000
EOF
}

# Host B: the services live there; it listens and exports them to hosta.
{
	cat <<EOF
[bridge]
name = hostb
listen = 127.0.0.1:$port
certificate = /etc/bridged/hostb.crt
key = /etc/bridged/hostb.key
ca = /etc/bridged/ca.crt
device = /dev/hostb
threads = 4

[peer hosta]

[export calculator]
peers = hosta

[export worker]
peers = hosta
EOF
	limits
} >"$work/hostb.conf"

# Host A: connects to hostb and imports both under the same names.
{
	cat <<EOF
[bridge]
name = hosta
certificate = /etc/bridged/hosta.crt
key = /etc/bridged/hosta.key
ca = /etc/bridged/ca.crt
device = /dev/binder
threads = 4

[peer hostb]
address = 127.0.0.1:$port

[import calculator]
peer = hostb
service = calculator

[import worker]
peer = hostb
service = worker
EOF
	limits
} >"$work/hosta.conf"

files=(--file "$here/bridge_in_guest.sh")
for binary in "$@"; do
	files+=(--file "$binary")
done
for name in ca.crt hosta.crt hosta.key hostb.crt hostb.key hosta.conf hostb.conf; do
	files+=(--file "$work/$name:/etc/bridged/$name")
done

"$here/run_in_guest.sh" --timeout "$timeout_seconds" --binder-devices binder,hostb \
	"${files[@]}" -- bridge_in_guest.sh
