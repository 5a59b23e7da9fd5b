#!/usr/bin/env bash
# make_certs.sh - makes the certificates bridged needs for mutual TLS: a
# private CA (DIR/ca.crt, DIR/ca.key) and, for each host NAME, a key and a
# certificate signed by that CA (DIR/NAME.key, DIR/NAME.crt) with CN=NAME
# and subjectAltName DNS:NAME, good as both TLS server and client. NAME is
# the node name of that host's bridged config ([bridge] name, and the
# [peer NAME] on the other side). For tests and demos: a real deployment
# keeps its CA key off the hosts.
#
# All keys are EC P-256. The CA lasts 10 years, host certificates 2. An
# existing DIR/ca.key is reused (so hosts can be added later); an existing
# NAME.crt is kept unless --force. Key files are 0600, certificates 0644.
# Only the openssl command line is used.
set -euo pipefail

program=${0##*/}

usage() {
	cat <<EOF
usage: $program [--ca-name NAME] [--force] DIR [HOST...]

Makes DIR/ca.crt and DIR/ca.key (a self-signed EC P-256 CA, 10 years),
unless DIR/ca.key exists, in which case that CA is reused; then for each
HOST, DIR/HOST.key and DIR/HOST.crt (EC P-256, signed by the CA, CN=HOST,
subjectAltName DNS:HOST, extendedKeyUsage serverAuth and clientAuth,
2 years).

  --ca-name NAME  the CA's common name (default: "bridged test CA"); only
                  used when a new CA is made
  --force         remake HOST.key and HOST.crt even if HOST.crt exists
  -h, --help      print this help

HOST: 1..64 characters of letters, digits, '.', '_' and '-', starting with
a letter or digit (it is a file name, a CN and a DNS name). Key files are
made with umask 077 (mode 0600), certificates are 0644.
EOF
}

# Bad usage: a message, the usage hint, exit 2.
usage_error() {
	echo "$program: $1" >&2
	echo "Try '$program --help'." >&2
	exit 2
}

die() {
	echo "$program: $1" >&2
	exit 1
}

ca_name="bridged test CA"
force=0
positional=()
while (($#)); do
	case $1 in
	-h | --help)
		usage
		exit 0
		;;
	--ca-name)
		(($# >= 2)) || usage_error "--ca-name needs a value"
		ca_name=$2
		shift 2
		;;
	--ca-name=*)
		ca_name=${1#--ca-name=}
		shift
		;;
	--force)
		force=1
		shift
		;;
	--)
		shift
		positional+=("$@")
		break
		;;
	-*)
		usage_error "unknown option '$1'"
		;;
	*)
		positional+=("$1")
		shift
		;;
	esac
done

((${#positional[@]} >= 1)) || usage_error "missing DIR"
dir=${positional[0]}
hosts=("${positional[@]:1}")
[[ -n $dir ]] || usage_error "DIR is empty"
[[ -n $ca_name && ${#ca_name} -le 64 ]] || usage_error "--ca-name: 1..64 characters"
for host in "${hosts[@]}"; do
	[[ $host =~ ^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$ ]] ||
		usage_error "bad host name '$host' (1..64 of letters, digits, '.', '_', '-')"
	[[ $host != ca ]] || usage_error "'ca' is the CA's own file name, not a host name"
done

command -v openssl >/dev/null || die "openssl not found"

# The directory readable by others (certificates are public), then every
# file made from here on private unless made otherwise.
mkdir -p -- "$dir" || die "cannot create $dir"
umask 077

work=$(mktemp -d "$dir/.make_certs.XXXXXX") || die "cannot write to $dir"
trap 'rm -rf -- "$work"' EXIT

# A subject for -subj: '/', '+' and '\' escaped.
subject() {
	local value=$1
	value=${value//\\/\\\\}
	value=${value//\//\\/}
	value=${value//+/\\+}
	printf '/CN=%s' "$value"
}

new_key() {
	openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$1" 2>"$work/log" ||
		die "openssl genpkey failed: $(cat "$work/log")"
	chmod 0600 "$1"
}

# A config of our own, so that the system's openssl.cnf adds nothing.
cat >"$work/req.cnf" <<'EOF'
[req]
distinguished_name = dn
[dn]
[ca]
basicConstraints = critical, CA:TRUE, pathlen:0
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always
EOF

ca_key=$dir/ca.key
ca_crt=$dir/ca.crt
if [[ -e $ca_key ]]; then
	[[ -e $ca_crt ]] || die "$ca_key exists but $ca_crt does not"
	ca_public=$(openssl x509 -in "$ca_crt" -noout -pubkey 2>&1) ||
		die "cannot read $ca_crt: $ca_public"
	key_public=$(openssl pkey -in "$ca_key" -pubout 2>&1) || die "cannot read $ca_key: $key_public"
	[[ $ca_public == "$key_public" ]] || die "$ca_key does not match $ca_crt"
	echo "CA: reusing $ca_crt ($(openssl x509 -in "$ca_crt" -noout -subject))"
else
	[[ ! -e $ca_crt ]] || die "$ca_crt exists without $ca_key: remove it or supply the key"
	new_key "$work/ca.key"
	openssl req -new -x509 -config "$work/req.cnf" -extensions ca -key "$work/ca.key" \
		-subj "$(subject "$ca_name")" -sha256 -days 3650 \
		-set_serial "0x$(openssl rand -hex 16)" -out "$work/ca.crt" 2>"$work/log" ||
		die "cannot make the CA: $(cat "$work/log")"
	chmod 0644 "$work/ca.crt"
	mv -f -- "$work/ca.key" "$ca_key"
	mv -f -- "$work/ca.crt" "$ca_crt"
	echo "CA: made $ca_crt and $ca_key (CN=$ca_name)"
fi

for host in "${hosts[@]}"; do
	key=$dir/$host.key
	crt=$dir/$host.crt
	if [[ -e $crt && $force == 0 ]]; then
		echo "$host: $crt exists, kept (--force remakes it)"
		continue
	fi
	cat >"$work/host.cnf" <<EOF
[host]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature
extendedKeyUsage = serverAuth, clientAuth
subjectAltName = DNS:$host
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid, issuer
EOF
	new_key "$work/host.key"
	openssl req -new -config "$work/req.cnf" -key "$work/host.key" -subj "/CN=$host" \
		-out "$work/host.csr" 2>"$work/log" ||
		die "$host: cannot make the request: $(cat "$work/log")"
	openssl x509 -req -in "$work/host.csr" -CA "$ca_crt" -CAkey "$ca_key" -sha256 -days 730 \
		-set_serial "0x$(openssl rand -hex 16)" -extfile "$work/host.cnf" -extensions host \
		-out "$work/host.crt" 2>"$work/log" ||
		die "$host: cannot sign: $(cat "$work/log")"
	chmod 0644 "$work/host.crt"
	mv -f -- "$work/host.key" "$key"
	mv -f -- "$work/host.crt" "$crt"
	echo "$host: made $crt and $key"
done
