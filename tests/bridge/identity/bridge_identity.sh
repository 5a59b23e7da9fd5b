#!/usr/bin/env bash
# bridge_identity.sh - a remote call's caller, as the service sees it: the
# security context is bridge:<the calling peer's name> and the euid is
# bridged's; a local call still carries the local caller's own. As root,
# also with the client run as another uid (65534), which then shows
# locally and not across the bridge.
#   bridge_identity.sh WHOAMI_SERVICE=PATH NAME=PATH...   (see hosts.sh)
whoami_service=${1#WHOAMI_SERVICE=}
shift
source "$(dirname "$0")/../e2e/hosts.sh" "$@"

E2E_B_SECTIONS='
[export whoami]
peers = hosta
'
E2E_A_SECTIONS='
[import whoami]
peer = hostb
service = whoami
'
hosts_start_cores
service_start b.whoami b whoami "$whoami_service"
bridged_start b
bridged_start a
check "A: whoami imported" wait_service a whoami 30

run a 30 "$BINDER_SERVICE" call whoami 1 --reply s16,i32
expect 0 "a call from host A: the service sees the peer" 's16: "bridge:hosta"' "i32: $(id -u)"
run b 30 "$BINDER_SERVICE" call whoami 1 --reply s16,i32
check "a local call on B does not carry a bridge label" eval '[[ $status == 0 && $out != *bridge:* ]]'

# The same from another user (as root only: setpriv needs it): locally on
# B the service sees that user's euid; from A it still sees bridged's.
other_uid=65534
if [[ $(id -u) == 0 ]] && command -v setpriv >/dev/null; then
	as_other=(setpriv --reuid="$other_uid" --regid="$other_uid" --clear-groups)
	# That user may reach the two binderd sockets (in this test's dir).
	chmod o+x "$E2E_DIR"
	chmod o+rw "$E2E_DIR/a.sock" "$E2E_DIR/b.sock"
	run b 30 "${as_other[@]}" "$BINDER_SERVICE" call whoami 1 --reply s16,i32
	expect 0 "a local call on B by uid $other_uid: the service sees that uid" "i32: $other_uid"
	run a 30 "${as_other[@]}" "$BINDER_SERVICE" call whoami 1 --reply s16,i32
	expect 0 "a call from host A by uid $other_uid: the service sees the peer and bridged's euid" \
		's16: "bridge:hosta"' "i32: $(id -u)"
else
	echo "bridge_identity: not root (or no setpriv): the check with another uid is left out" >&2
fi

e2e_finish
