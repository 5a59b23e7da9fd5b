#!/usr/bin/env bash
# bridge_refusals_config.sh - configs bridged must refuse, with the file,
# the line (when the mistake has one) and the reason: `bridged --check`
# exits 0 for a good config and 1 for a bad one, and bridged started for
# real on a bad config exits 1 with the same message before it does
# anything. Covers syntax and value errors, references to unknown peers,
# and the TLS material: a key that does not match the certificate, a
# certificate that does not name the node, missing files, a CA that is no
# certificate, and a certificate the configured CA did not sign.
# Command-line mistakes exit 2.
#   bridge_refusals_config.sh NAME=PATH...   (see hosts.sh)
source "$(dirname "$0")/hosts.sh" "$@"

certs_make "$E2E_CERTS" hosta hostb
certs_make "$E2E_DIR/other" --ca-name "another CA" hostb
conf=$E2E_DIR/conf
mkdir -p "$conf"
# The certificates, relative to the configs (resolved against their
# directory, whatever the working directory).
ln -s ../certs "$conf/certs"
ln -s ../other "$conf/other"

PORT_B=$(e2e_pick_port)

# A good config of hostb: the lines that the bad ones change or extend.
good_config() {
	cat <<EOF
[bridge]
name = hostb
listen = 127.0.0.1:$PORT_B
certificate = certs/hostb.crt
key = certs/hostb.key
ca = certs/ca.crt

[peer hosta]
address = 127.0.0.1:9

[export calculator]
peers = hosta

[import calculator@a]
peer = hosta
service = calculator
EOF
}

# check_config DESCRIPTION WANT_STATUS FILE [MESSAGE_ERE]: `bridged --check
# --config FILE` exits WANT_STATUS; if MESSAGE_ERE is given, stderr has
# "bridged: error: " and then MESSAGE_ERE.
check_config() {
	local description=$1 want=$2 file=$3 message=${4:-}
	run a 30 "$BRIDGED" --check --config "$file"
	e2e_checks=$((e2e_checks + 1))
	if [[ $status != "$want" ]]; then
		fail_run "$description: exit status $status, expected $want"
	elif [[ -n $message ]] && ! grep -qE -- "^bridged: error: $message" <<<"$err"; then
		fail_run "$description: stderr lacks 'bridged: error: $message'"
	else
		e2e_ok "$description"
	fi
}

# bad NAME LINE MESSAGE_ERE: $conf/NAME.conf (made by the caller) is
# refused naming that file, LINE ("-": no line) and MESSAGE_ERE.
bad() {
	local file=$conf/$1.conf where
	if [[ $2 == - ]]; then
		where="$file: "
	else
		where="$file:$2: "
	fi
	check_config "$1 refused" 1 "$file" "$(e2e_ere_quote "$where")$3"
}

# The text as an ERE matching itself.
e2e_ere_quote() {
	sed 's/[][\.*^$+?(){}|/]/\\&/g' <<<"$1"
}

# ---- the good one
good_config >"$conf/good.conf"
check_config "the good config passes --check" 0 "$conf/good.conf"
check "--check says OK with the counts" eval \
	'grep -qxF "$conf/good.conf: OK (node hostb, 1 peers, 1 exports, 1 imports)" <<<"$out"'
e2e_last_command="cd / && bridged --check --config (relative certificate paths)"
out=$(cd / && timeout 30 "$BRIDGED" --check --config "$conf/good.conf" 2>&1)
status=$?
check "relative paths are the config's, not the working directory's" test "$status" = 0

# ---- syntax and values, each with its line
{ good_config | sed '2a colour = blue'; } >"$conf/unknown-key.conf"
bad unknown-key 3 "unknown key 'colour' in \[bridge\]"
{ good_config | sed '2a name = hostc'; } >"$conf/duplicate-key.conf"
bad duplicate-key 3 "duplicate key 'name'"
{ good_config | sed "s/:$PORT_B/:99999/"; } >"$conf/bad-port.conf"
bad bad-port 3 "listen: bad port"
{ good_config | sed "s/127.0.0.1:$PORT_B/localhost:$PORT_B/"; } >"$conf/bad-address.conf"
bad bad-address 3 "listen: bad address 'localhost:$PORT_B'"
{ good_config | sed 's/127.0.0.1:9$/127.0.0.1/'; } >"$conf/peer-no-port.conf"
bad peer-no-port 9 "address: bad address '127.0.0.1'"
{ good_config | sed 's/^name = hostb/name = host b/'; } >"$conf/bad-name.conf"
bad bad-name 2 "bad node name 'host b'"
{
	good_config
	printf '\n[exprot worker]\npeers = hosta\n'
} >"$conf/unknown-section.conf"
bad unknown-section 18 "unknown section \[exprot worker\]"
{
	good_config
	printf 'just some words\n'
} >"$conf/not-key-value.conf"
bad not-key-value 17 "expected 'key = value'"
{
	good_config
	printf '\n[limits]\nmax_frame_size = 100\n'
} >"$conf/out-of-range.conf"
bad out-of-range 19 "max_frame_size: 100 is out of range"
{
	good_config
	printf '\n[limits]\ncall_timeout_ms = soon\n'
} >"$conf/not-a-number.conf"
bad not-a-number 19 "call_timeout_ms: 'soon' is not a number"
{ good_config | sed 's/^\[bridge\]/[bridge]\nthreads = 0/'; } >"$conf/threads-zero.conf"
bad threads-zero 2 "threads: 0 is out of range"
{
	good_config
	printf '\n[peer hosta]\n'
} >"$conf/duplicate-peer.conf"
bad duplicate-peer 18 "duplicate \[peer hosta\] \(first at line 8\)"
{
	good_config
	printf '\n[peer hostb]\n'
} >"$conf/own-name-peer.conf"
bad own-name-peer 18 "\[peer hostb\] has this node's own name"

# ---- references to peers and required keys
{
	good_config
	printf '\n[import worker]\npeer = hostz\nservice = worker\n'
} >"$conf/import-unknown-peer.conf"
bad import-unknown-peer 19 "\[import worker\]: unknown peer 'hostz'"
{ good_config | sed 's/^peers = hosta$/peers = hosta, hostz/'; } >"$conf/export-unknown-peer.conf"
bad export-unknown-peer 12 "\[export calculator\]: unknown peer 'hostz'"
{ good_config | sed '/^service = calculator$/d'; } >"$conf/import-no-service.conf"
bad import-no-service 14 "\[import calculator@a\]: service is required"
{ good_config | sed '/^peers = hosta$/d'; } >"$conf/export-no-peers.conf"
bad export-no-peers 11 "\[export calculator\]: peers is required"
{ good_config | sed '/^certificate/d'; } >"$conf/no-certificate.conf"
bad no-certificate - "\[bridge\] certificate is required"
{ good_config | sed '/^name/d'; } >"$conf/no-name.conf"
bad no-name - "\[bridge\] name is required"
{
	good_config
	printf '\n[limits]\nreconnect_min_ms = 5000\nreconnect_max_ms = 1000\n'
} >"$conf/backoff-inverted.conf"
bad backoff-inverted - "\[limits\] reconnect_min_ms \(5000\) exceeds reconnect_max_ms \(1000\)"
check_config "a config that does not exist" 1 "$conf/nothing-here.conf" \
	"$(e2e_ere_quote "$conf/nothing-here.conf"): cannot open"

# ---- the TLS material
{ good_config | sed 's#^key = .*#key = certs/hosta.key#'; } >"$conf/key-mismatch.conf"
bad key-mismatch - "(cannot read the key .*key values mismatch|the key does not match the certificate)"
{ good_config | sed 's#^certificate = .*#certificate = certs/hosta.crt#; s#^key = .*#key = certs/hosta.key#'; } \
	>"$conf/certificate-of-another-node.conf"
bad certificate-of-another-node - \
	"the certificate $(e2e_ere_quote "$conf/certs/hosta.crt") does not name this node \(hostb\)"
{ good_config | sed 's#^certificate = .*#certificate = certs/missing.crt#'; } \
	>"$conf/certificate-missing.conf"
bad certificate-missing - "cannot read the certificate $(e2e_ere_quote "$conf/certs/missing.crt")"
{ good_config | sed 's#^key = .*#key = certs/missing.key#'; } >"$conf/key-missing.conf"
bad key-missing - "cannot read the key $(e2e_ere_quote "$conf/certs/missing.key")"
{ good_config | sed 's#^ca = .*#ca = certs/hostb.key#'; } >"$conf/ca-not-a-certificate.conf"
bad ca-not-a-certificate - "cannot read the CA $(e2e_ere_quote "$conf/certs/hostb.key")"
# Our own certificate must chain to the configured CA (every peer that
# trusts that CA would refuse us): a mistake found at start.
{ good_config | sed 's#^certificate = .*#certificate = other/hostb.crt#; s#^key = .*#key = other/hostb.key#'; } \
	>"$conf/certificate-of-another-ca.conf"
bad certificate-of-another-ca - \
	"the certificate $(e2e_ere_quote "$conf/other/hostb.crt") is not signed by the CA"

# ---- the command line
run a 30 "$BRIDGED" --check
expect 2 "no --config: exit 2"
run a 30 "$BRIDGED" --config "$conf/good.conf" --log-level loud
expect 2 "an unknown log level: exit 2"
run a 30 "$BRIDGED" --config "$conf/good.conf" --bogus
expect 2 "an unknown option: exit 2"
run a 30 "$BRIDGED" --config "$conf/good.conf" extra
expect 2 "an extra argument: exit 2"
run a 30 "$BRIDGED" --help
expect 0 "--help: exit 0"

# ---- bridged started for real
run a 30 "$BRIDGED" --config "$conf/unknown-key.conf"
e2e_checks=$((e2e_checks + 1))
if [[ $status == 1 ]] && grep -qE "^bridged: error: $(e2e_ere_quote "$conf/unknown-key.conf"):3: unknown key" <<<"$err" &&
	! grep -q "listening" <<<"$err"; then
	e2e_ok "bridged refuses a bad config at start (exit 1, FILE:LINE: reason, no listening)"
else
	fail_run "bridged on a bad config"
fi
run a 30 "$BRIDGED" --config "$conf/key-mismatch.conf"
expect_failure "bridged refuses a key that does not match at start" "key"

# The good config runs (on host a's binderd), stops cleanly; a second one
# on the same port cannot listen and exits 1.
host_start a
daemon_start good.bridged a "$BRIDGED" --config "$conf/good.conf" --log-level debug
check "bridged on the good config is ready" wait_ready good.bridged 30 "node hostb ready"
run a 30 "$BRIDGED" --config "$conf/good.conf"
expect_failure "a second bridged on the same port exits" "cannot listen on 127.0.0.1:$PORT_B"
check "the first one still runs" daemon_running good.bridged
daemon_stop good.bridged

e2e_finish
