#!/usr/bin/env bash
# bridge_identity.sh - a remote call's caller, as the service sees it: the
# security context is bridge:<the calling peer's name> and the euid is
# bridged's; a local call still carries the local caller's own.
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

e2e_finish
