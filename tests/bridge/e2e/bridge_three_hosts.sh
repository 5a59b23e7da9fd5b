#!/usr/bin/env bash
# bridge_three_hosts.sh - objects that cross two links: hosts A, B and C,
# each with binderd, servicemanager and bridged, on the loopback addresses
# 127.0.0.2 (A), 127.0.0.3 (B) and 127.0.0.4 (C). A connects to B and B to
# C; there is no link between A and C. Services (the probe service):
#  - C serves "holder" (keeps an object, links to its death), exported to
#    hostb; B imports it as "holder@c";
#  - B serves "relay" (passes the objects it is given on to holder@c) and
#    "holder" (a holder of its own), both exported to hosta; A imports them
#    as "relay@b" and "holder@b";
#  - A serves "calculator" for hostb; B imports it as "calculator@a" and
#    exports that name on to hostc; C imports it as "calculator@a@b".
# A "keeper" on A is the probe client: it makes an object (tag 7) and gives
# it to relay@b, which passes it on to holder@c: the object goes A -> B ->
# C in calls, and reaches C as a chain of stand-ins A <- B <- C (which is
# how bridged carries it today).
#
# THREE_HOSTS_PART says what is checked:
#  calls (the default):
#   1. C asks holder to call the object: the call goes C -> B -> A, reaches
#      A's object and its answer (with the tag) comes back. The keeper is
#      killed: C's calls to the object then fail cleanly (dead object).
#   2. The service imported across two links: C calls A's calculator
#      through B; when A's calculator_service dies the name leaves B and
#      then C; when it comes back both serve it again.
#  death: the death notification of an object passed in calls. A second
#   keeper gives its object to holder@b (one link: A -> B). Both keepers
#   are killed: B's holder (one link) and C's holder (two links) must each
#   get the death notification of the object they keep, as a holder on A
#   would (each bridged kills its stand-in's node in binderd:
#   nodes_handle_death).
#  release: B's bridged is killed (SIGKILL) while C holds A's object
#   through it: A's bridged must let go of the references it held for B
#   (binderctl state on A: no reference of A's bridged on the keeper's
#   object), and C's holder gets the object's death.
#   bridge_three_hosts.sh NAME=PATH...  (see hosts.sh; needs PROBE_CLIENT
#   and PROBE_SERVICE, and BINDERCTL for the release part)
source "$(dirname "$0")/hosts.sh" "$@"
[[ -n ${PROBE_CLIENT:-} && -n ${PROBE_SERVICE:-} ]] ||
	e2e_die "PROBE_CLIENT=PATH and PROBE_SERVICE=PATH are required"
part=${THREE_HOSTS_PART:-calls}
[[ $part == calls || $part == death || $part == release ]] ||
	e2e_die "THREE_HOSTS_PART: calls, death or release, not '$part'"
[[ $part != release || -n ${BINDERCTL:-} ]] || e2e_die "THREE_HOSTS_PART=release needs BINDERCTL=PATH"

E2E_ADDRESS_A=127.0.0.2
E2E_ADDRESS_B=127.0.0.3
E2E_ADDRESS_C=127.0.0.4
# The objects' tags: each answers with its own.
object_tag=7
local_object_tag=8

E2E_A_SECTIONS='
[export calculator]
peers = hostb

[import relay@b]
peer = hostb
service = relay

[import holder@b]
peer = hostb
service = holder
'
E2E_B_SECTIONS='
[peer hostc]
address = @ADDRESS_C@:@PORT_C@

[export relay]
peers = hosta

[export holder]
peers = hosta

[export calculator@a]
peers = hostc

[import holder@c]
peer = hostc
service = holder

[import calculator@a]
peer = hosta
service = calculator
'
E2E_C_SECTIONS='
[peer hostb]

[export holder]
peers = hostb

[import calculator@a@b]
peer = hostb
service = calculator@a
'
certs_make "$E2E_CERTS" hosta hostb hostc
host_start a
host_start b
host_start c
service_start c.holder c holder "$PROBE_SERVICE" holder
service_start b.holder b holder "$PROBE_SERVICE" holder
service_start b.relay b relay "$PROBE_SERVICE" relay --forward holder@c
service_start a.calculator a calculator "$CALCULATOR_SERVICE"
bridged_start c
bridged_start b
bridged_start a
check "B: holder@c imported from C" wait_service b holder@c 30
check "A: relay@b imported from B" wait_service a relay@b 30
check "A: holder@b imported from B" wait_service a holder@b 30

# kept_state HOST WANT: HOST's holder says "kept: WANT".
kept_state() {
	run "$1" 30 "$PROBE_CLIENT" kept-state holder
	[[ $status == 0 && $out == "kept: $2" ]]
}

# ---- an object from A, given to relay@b (B), kept by holder@c (C)
daemon_start a.keeper a "$PROBE_CLIENT" keep relay@b "$object_tag" 300
check "A's object was given to relay@b (B), which passed it on to holder@c (C)" \
	wait_ready a.keeper 60 "^keep: kept by relay@b$"
check "B's relay passed it on and C's holder kept it" \
	wait_log b.relay 20 "passed an object on to holder@c: kept there"
check "C's holder linked to the object's death" \
	wait_log c.holder 20 "kept an object \(death linked\)"
check "C: holder keeps the object, alive" kept_state c alive

# held_by_bridged_a: A's binderd shows a reference of A's bridged on the
# keeper's object (binderctl state: the node lines of the keeper's
# process list the processes that hold references, "proc PID...").
held_by_bridged_a() {
	local keeper=${e2e_pid[a.keeper]} bridged=${e2e_pid[a.bridged]}
	"$BINDERCTL" --socket "$E2E_DIR/a.sock" state |
		awk -v keeper="$keeper" '/^proc /{ owner = $2 } owner == keeper && / node /' |
		grep -qE " proc ([0-9]+ )*$bridged( |$)"
}

if [[ $part == release ]]; then
	# ---- B's bridged goes away (SIGKILL) while C holds A's object through it
	check "A's bridged holds a reference on the keeper's object" held_by_bridged_a
	closed_before=$(log_count a.bridged "link [0-9]+ to hostb closed")
	daemon_kill b.bridged
	check "A sees its link to B close" \
		wait_log a.bridged 30 "link [0-9]+ to hostb closed" "$((closed_before + 1))"
	check "A's bridged lets go of everything B held: the keeper's object" \
		wait_until 30 eval '! held_by_bridged_a'
	check "C's holder gets the death notification of the object (its proxy's link went)" \
		wait_until 30 kept_state c dead
	run c 60 "$PROBE_CLIENT" call-kept holder 5
	expect_failure "C's call to the object fails cleanly (no hang)" "dead object"
	check "the keeper on A is alive all along" daemon_running a.keeper
	check "A's bridged is alive" daemon_running a.bridged
	check "C's bridged is alive" daemon_running c.bridged
	e2e_finish
fi

if [[ $part == calls ]]; then
	# ---- 1. C calls A's object through B
	run c 60 "$PROBE_CLIENT" call-kept holder 41
	expect 0 "C calls A's object through B (C -> B -> A): the answer and A's tag come back" \
		"call-kept: result 42 from object $object_tag"
	check "the call reached the object on A" \
		wait_log a.keeper 20 "^object $object_tag: echo\(41\)$"
	for x in 1 2 3; do
		run c 60 "$PROBE_CLIENT" call-kept holder "$x"
		expect 0 "C calls A's object again ($x)" \
			"call-kept: result $((x + 1)) from object $object_tag"
	done
	daemon_kill a.keeper
	check "A's bridged saw the object's owner die and told B" \
		wait_log a.bridged 30 "node [0-9]+ died; telling hostb"
	run c 60 "$PROBE_CLIENT" call-kept holder 5
	expect_failure "then C's call to the object fails cleanly (no hang)" "dead object"
	check "B's bridged is alive" daemon_running b.bridged
	check "C's bridged is alive" daemon_running c.bridged

	# ---- 2. a service imported across two links
	check "B: calculator@a imported from A" wait_service b calculator@a 30
	check "C: calculator@a@b imported from B" wait_service c calculator@a@b 30
	run c 60 "$BINDER_SERVICE" call calculator@a@b 1 --intf --reply ex,i32 i32:2 i32:3
	expect 0 "C calls A's calculator through B" "ex: none" "i32: 5"
	daemon_kill a.calculator
	check "calculator@a leaves B when A's service dies" wait_gone b calculator@a 30
	check "calculator@a@b leaves C too" wait_gone c calculator@a@b 30
	run c 60 "$BINDER_SERVICE" call calculator@a@b 1 --intf --reply ex,i32 i32:2 i32:3
	expect_failure "C's call fails cleanly once the service is gone" "not found"
	daemon_restart a.calculator
	check "B serves calculator@a again" wait_service b calculator@a 30
	check "C serves calculator@a@b again" wait_service c calculator@a@b 30
	run c 60 "$BINDER_SERVICE" call calculator@a@b 1 --intf --reply ex,i32 i32:40 i32:2
	expect 0 "C calls A's calculator through B again" "ex: none" "i32: 42"
else
	# ---- the deaths of objects passed in calls, across one and two links
	daemon_start a.local_keeper a "$PROBE_CLIENT" keep holder@b "$local_object_tag" 300
	check "A's second object was given to holder@b (B)" \
		wait_ready a.local_keeper 60 "^keep: kept by holder@b$"
	check "B's holder linked to its death" \
		wait_log b.holder 20 "kept an object \(death linked\)"
	check "B: holder keeps it, alive" kept_state b alive

	daemon_kill a.local_keeper
	check "A's bridged told B of the death (one link)" \
		wait_log a.bridged 30 "node [0-9]+ died; telling hostb"
	check "B's holder got the death notification of A's object (one link)" \
		wait_until 30 kept_state b dead
	echo "  B's holder says: $out"

	deaths_before=$(log_count a.bridged "node [0-9]+ died; telling hostb")
	daemon_kill a.keeper
	check "A's bridged told B of the death" \
		wait_log a.bridged 30 "node [0-9]+ died; telling hostb" "$((deaths_before + 1))"
	check "C's holder got the death notification of A's object (two links)" \
		wait_until 30 kept_state c dead
	echo "  C's holder says: $out"
	run c 60 "$PROBE_CLIENT" call-kept holder 5
	expect_failure "C's call to the dead object fails cleanly (no hang)" "dead object"
fi

check "A's bridged is alive" daemon_running a.bridged
check "B's bridged is alive" daemon_running b.bridged
check "C's bridged is alive" daemon_running c.bridged
e2e_finish
