#!/usr/bin/env bash
# make_certs_test.sh - certs/make_certs.sh, run into a temporary directory
# and its output read back with openssl: every key (the CA's and each
# host's) is an EC P-256 key in a file of mode 0600; each host certificate
# has CN and subjectAltName DNS: the host name given, verifies against the
# CA for TLS client and server use, and does not verify against another
# CA; certificates are 0644. A second run adds a host with the same CA and
# keeps the existing certificates.
#   make_certs_test.sh PATH/TO/make_certs.sh
# Exit status: 0 all checks passed, 1 some failed, 2 bad usage, 77 skipped
# (no openssl). Every command runs under `timeout`.
set -u -o pipefail

program=${0##*/}
script=${1:-}
[[ $# == 1 && -x $script ]] || {
	echo "usage: $program PATH/TO/make_certs.sh" >&2
	exit 2
}
command -v openssl >/dev/null || {
	echo "$program: no openssl: skipped" >&2
	exit 77
}

# Seconds any one command may take (a key is made in milliseconds).
COMMAND_LIMIT=60
# Host names as make_certs.sh takes them: plain, with a dot and a dash,
# with an underscore, one of 64 characters (the longest allowed).
HOSTS=(hosta host-b.example.org host_c "h$(printf 'x%.0s' {1..63})")
ADDED_HOST=hostd

dir=$(mktemp -d /tmp/make-certs-test.XXXXXX) || exit 2
trap 'rm -rf -- "$dir"' EXIT
checks=0
failures=0

ok() {
	checks=$((checks + 1))
	echo "ok: $1"
}

fail() {
	checks=$((checks + 1))
	failures=$((failures + 1))
	echo "FAIL: $1" >&2
}

# check DESCRIPTION CMD...: CMD must succeed.
check() {
	local description=$1
	shift
	if "$@"; then ok "$description"; else fail "$description"; fi
}

# bounded CMD...: CMD under timeout (then SIGKILL 5 s later).
bounded() {
	timeout -k 5 "$COMMAND_LIMIT" "$@"
}

# fails CMD...: CMD does not succeed.
fails() {
	! "$@"
}

# absent PATH...: none of them exists.
absent() {
	local path
	for path; do
		[[ ! -e $path ]] || return 1
	done
}

# exits_with STATUS CMD...: CMD (stderr dropped) exits with STATUS.
exits_with() {
	local want=$1
	shift
	"$@" 2>/dev/null
	[[ $? == "$want" ]]
}

# is_ec_p256 KEY: openssl reads KEY as an EC private key on P-256.
is_ec_p256() {
	local text
	text=$(bounded openssl pkey -in "$1" -noout -text 2>&1) || return 1
	grep -q '^Private-Key: (256 bit' <<<"$text" &&
		grep -qx 'ASN1 OID: prime256v1' <<<"$text" &&
		grep -qx 'NIST CURVE: P-256' <<<"$text"
}

# mode_is MODE FILE: FILE's permission bits are MODE (octal, as stat %a).
mode_is() {
	[[ $(stat -c %a -- "$2") == "$1" ]]
}

# subject_is CERT NAME: the subject is exactly CN=NAME.
subject_is() {
	[[ $(bounded openssl x509 -in "$1" -noout -subject -nameopt RFC2253) == "subject=CN=$2" ]]
}

# alt_names_are CERT NAME: the subjectAltName is exactly DNS:NAME.
alt_names_are() {
	local text
	text=$(bounded openssl x509 -in "$1" -noout -ext subjectAltName) || return 1
	[[ $(sed -n '2,$p' <<<"$text" | tr -d ' ') == "DNS:$2" ]]
}

# verifies CA CERT PURPOSE: openssl verify accepts CERT for PURPOSE with
# CA as the only trusted certificate.
verifies() {
	[[ $(bounded openssl verify -CAfile "$1" -purpose "$3" "$2" 2>&1) == "$2: OK" ]]
}

# key_matches KEY CERT: CERT carries KEY's public key.
key_matches() {
	[[ $(bounded openssl pkey -in "$1" -pubout) == $(bounded openssl x509 -in "$2" -noout -pubkey) ]]
}

# ---- a CA and the hosts
check "make_certs.sh makes a CA and ${#HOSTS[@]} hosts" \
	bounded "$script" "$dir/certs" "${HOSTS[@]}"
check "the CA key is EC P-256" is_ec_p256 "$dir/certs/ca.key"
check "the CA key is mode 0600" mode_is 600 "$dir/certs/ca.key"
check "the CA certificate is mode 0644" mode_is 644 "$dir/certs/ca.crt"
check "the CA certificate verifies against itself" \
	verifies "$dir/certs/ca.crt" "$dir/certs/ca.crt" any
for host in "${HOSTS[@]}"; do
	key=$dir/certs/$host.key crt=$dir/certs/$host.crt
	check "$host: the key is EC P-256" is_ec_p256 "$key"
	check "$host: the key is mode 0600" mode_is 600 "$key"
	check "$host: the certificate is mode 0644" mode_is 644 "$crt"
	check "$host: the certificate carries the key" key_matches "$key" "$crt"
	check "$host: the subject is CN=$host" subject_is "$crt" "$host"
	check "$host: the subjectAltName is DNS:$host" alt_names_are "$crt" "$host"
	check "$host: verifies against the CA as a TLS client" \
		verifies "$dir/certs/ca.crt" "$crt" sslclient
	check "$host: verifies against the CA as a TLS server" \
		verifies "$dir/certs/ca.crt" "$crt" sslserver
done

# ---- another CA: its certificates do not verify against the first one
check "make_certs.sh makes a second CA" bounded "$script" "$dir/other" hosta
check "a certificate of the second CA does not verify against the first" \
	fails verifies "$dir/certs/ca.crt" "$dir/other/hosta.crt" sslclient

# ---- a host added later: the same CA, the existing certificates kept
ca_before=$(sha256sum <"$dir/certs/ca.crt")
host_before=$(sha256sum <"$dir/certs/${HOSTS[0]}.crt")
check "make_certs.sh adds $ADDED_HOST with the existing CA" \
	bounded "$script" "$dir/certs" "${HOSTS[0]}" "$ADDED_HOST"
check "the CA certificate is the same" test "$(sha256sum <"$dir/certs/ca.crt")" = "$ca_before"
check "${HOSTS[0]}'s certificate is kept" \
	test "$(sha256sum <"$dir/certs/${HOSTS[0]}.crt")" = "$host_before"
check "$ADDED_HOST: the key is EC P-256" is_ec_p256 "$dir/certs/$ADDED_HOST.key"
check "$ADDED_HOST: the key is mode 0600" mode_is 600 "$dir/certs/$ADDED_HOST.key"
check "$ADDED_HOST: the subject is CN=$ADDED_HOST" \
	subject_is "$dir/certs/$ADDED_HOST.crt" "$ADDED_HOST"
check "$ADDED_HOST: the subjectAltName is DNS:$ADDED_HOST" \
	alt_names_are "$dir/certs/$ADDED_HOST.crt" "$ADDED_HOST"
check "$ADDED_HOST: verifies against the same CA" \
	verifies "$dir/certs/ca.crt" "$dir/certs/$ADDED_HOST.crt" sslclient

# ---- bad host names are refused (exit 2), nothing made for them
check "a host name with a slash is refused" exits_with 2 bounded "$script" "$dir/certs" "a/b"
check "a host name of 65 characters is refused" \
	exits_with 2 bounded "$script" "$dir/certs" "x${HOSTS[3]}"
check "nothing was made for them" absent "$dir/certs/a" "$dir/certs/x${HOSTS[3]}.key"

if ((failures)); then
	echo "$program: $failures of $checks checks failed" >&2
	exit 1
fi
echo "$program: all $checks checks passed"
