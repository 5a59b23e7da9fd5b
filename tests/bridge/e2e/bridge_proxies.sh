#!/usr/bin/env bash
# bridge_proxies.sh - what the bridge promises about the proxies it makes
# (DESIGN.md, "The bridge"). Host B serves probe services (the probe
# service), exported to hosta and imported on A under the same names; the
# probe client on A makes the calls and checks what comes back.
# PROXIES_PART says what is checked:
#  home (the default): an object going home arrives as the original object,
#   never a chain of proxies. A's client gives an object of its own to B's
#   "probe" (KEEP) and asks for it back (RETURN_KEPT): it must come back
#   (A -> B -> A) as that very local object, and answer with its tag.
#  oneway: a oneway call keeps its order per target node. A's client sends
#   2000 numbered oneway calls to B's "probe"; all must arrive, none out of
#   order (first on B itself, without the bridge, as a control).
#  death: when a peer goes away, every local proxy for its objects dies.
#   B serves "alpha" and "beta"; beta keeps an object of a client on B
#   (a keeper), which A gets from beta (RETURN_KEPT): "beta/kept", a proxy
#   for an object of B that is no imported service. (1) B's alpha process
#   is killed: on A the proxy for alpha dies (its death recipient fires
#   once, a call fails with a dead object) while beta's and beta/kept's
#   keep working (a call works, no notification). (2) alpha is back; B's
#   bridged is SIGKILLed: on A all three proxies die, each notified once,
#   calls failing with a dead object.
#  unsent: an object in a call whose frame cannot go (too big for the
#   peer: max_frame_size 64 KiB here) is taken back. A's client passes a
#   new object of its own in each of 50 calls padded to 70,000 bytes, and
#   then stays alive, holding none of them: each call fails
#   (BINDER_BAD_VALUE) and A's binderd (binderctl state) must show no
#   reference of A's bridged on any object of the client. A call that fits
#   works afterwards.
#   bridge_proxies.sh NAME=PATH...  (see hosts.sh; needs PROBE_CLIENT and
#   PROBE_SERVICE, and BINDERCTL for the unsent part)
source "$(dirname "$0")/hosts.sh" "$@"
[[ -n ${PROBE_CLIENT:-} && -n ${PROBE_SERVICE:-} ]] ||
	e2e_die "PROBE_CLIENT=PATH and PROBE_SERVICE=PATH are required"
part=${PROXIES_PART:-home}
case $part in
home) services=(probe) ;;
oneway)
	services=(probe)
	# B's bridged queues up to 4 x max_calls_in_flight oneway calls
	# (then drops them): room for all, however fast A sends.
	E2E_LIMITS='max_calls_in_flight = 1024'
	;;
death) services=(alpha beta) ;;
unsent)
	services=(probe)
	# Frames of at most 64 KiB: a call with 70,000 bytes does not fit.
	E2E_LIMITS='max_frame_size = 65536'
	[[ -n ${BINDERCTL:-} ]] || e2e_die "PROXIES_PART=unsent needs BINDERCTL=PATH"
	;;
*) e2e_die "PROXIES_PART: home, oneway, death or unsent, not '$part'" ;;
esac

# The oneway calls sent in one run, and the tag of A's object.
oneway_calls=2000
home_tag=5
keeper_tag=9
# How long a watcher waits for the deaths it expects (it ends sooner when
# they came).
watch_seconds=60

E2E_B_SECTIONS=
E2E_A_SECTIONS=
for service in "${services[@]}"; do
	E2E_B_SECTIONS+="
[export $service]
peers = hosta
"
	E2E_A_SECTIONS+="
[import $service]
peer = hostb
service = $service
"
done
hosts_start_cores
for service in "${services[@]}"; do
	service_start "b.$service" b "$service" "$PROBE_SERVICE" "$service"
done
bridged_start b
bridged_start a
for service in "${services[@]}"; do
	check "A: $service imported" wait_service a "$service" 30
done

# watcher_start NAME ARGS...: a probe client `watch` on A in the
# background, ready once it links its death recipients.
watcher_start() {
	local name=$1
	shift
	daemon_start "$name" a "$PROBE_CLIENT" watch "$watch_seconds" "$@"
	check "A: $name linked its death recipients" wait_ready "$name" 30 "^watching$"
}

# watcher_done NAME: it ended by itself (it waits watch_seconds at most,
# then calls), with status 0; sets e2e_status.
watcher_done() {
	local name=$1
	wait_until "$((watch_seconds + 30))" pid_gone "${e2e_pid[$name]}" || return 1
	e2e_reap "$name"
	[[ $e2e_status == 0 ]]
}

# watcher_says NAME LINE: NAME printed LINE (a whole line).
watcher_says() {
	grep -qxF -- "$2" "$E2E_DIR/$1.log"
}

if [[ $part == home ]]; then
	run b 60 "$PROBE_CLIENT" home probe "$home_tag"
	expect 0 "control, on B itself: the object comes home as itself" \
		"home: came back as itself, echo tag $home_tag"
	for i in 1 2 3; do
		run a 60 "$PROBE_CLIENT" home probe "$home_tag"
		expect 0 "A's object kept on B and given back (A -> B -> A) is the original ($i)" \
			"home: came back as itself, echo tag $home_tag"
	done
	check "B's probe gave it back" e2e_log_has b.probe "gave the kept object back"
elif [[ $part == oneway ]]; then
	run b 120 "$PROBE_CLIENT" oneway probe "$oneway_calls"
	expect 0 "control, on B itself: $oneway_calls oneway calls arrive, in order" \
		"oneway: $oneway_calls of $oneway_calls received, 0 out of order"
	for i in 1 2; do
		run a 120 "$PROBE_CLIENT" oneway probe "$oneway_calls"
		expect 0 "$oneway_calls oneway calls from A to B's probe: all arrive, in order ($i)" \
			"oneway: $oneway_calls of $oneway_calls received, 0 out of order"
	done
elif [[ $part == unsent ]]; then
	# held_by_bridged_a NAME: how many objects of A's process NAME A's
	# bridged holds a reference on (binderctl state: each node line of
	# NAME's process lists the processes holding references, "proc PID...").
	held_by_bridged_a() {
		local owner=${e2e_pid[$1]} bridged=${e2e_pid[a.bridged]}
		"$BINDERCTL" --socket "$E2E_DIR/a.sock" state |
			awk -v owner="$owner" '/^proc /{ process = $2 } process == owner && / node /' |
			grep -cE " proc ([0-9]+ )*$bridged( |$)"
	}
	unsent_calls=50
	daemon_start a.passer a "$PROBE_CLIENT" pass probe "$unsent_calls" --padding 70000 --hold 120
	check "A: $unsent_calls calls, each passing a new object, too big for the link: all fail" \
		wait_ready a.passer 60 "^summary: 0 ok, $unsent_calls failed of $unsent_calls calls$"
	check "A: they failed with BINDER_BAD_VALUE (too big for the peer)" \
		wait_log a.passer 5 "^call 1: failed: .*(BAD_VALUE|bad value)"
	check "A: the client holds on, its objects let go" wait_log a.passer 30 "^pass: holding$"
	# Polled (binderd applies bridged's releases in its own time), then
	# checked with the last count in the message.
	none_held() {
		held=$(held_by_bridged_a a.passer)
		test "$held" = 0
	}
	wait_until 20 none_held
	check "A's bridged holds none of the client's $unsent_calls objects ($held held)" \
		test "$held" = 0
	check "A's bridged took each object back" \
		wait_log a.bridged 20 "node [0-9]+ taken back \(its frame was not sent\)" "$unsent_calls"
	daemon_kill a.passer
	run a 60 "$PROBE_CLIENT" pass probe 5 --padding 1000
	expect 0 "A: calls passing objects that fit the link work" "summary: 5 ok, 0 failed of 5 calls"
else
	dead="1 death notifications, call: dead object"
	alive="0 death notifications, call: ok"
	daemon_start b.keeper b "$PROBE_CLIENT" keep beta "$keeper_tag" 300
	check "B: beta keeps an object of B's keeper" wait_ready b.keeper 30 "^keep: kept by beta$"

	# ---- 1. one service's process dies on B: only its proxy dies
	watcher_start a.watch1 alpha --alive beta beta/kept
	daemon_kill b.alpha
	check "A: the watcher (alpha must die, beta and beta/kept live) ended by itself, satisfied (status 0)" \
		watcher_done a.watch1
	check "A: alpha's proxy died: notified once, its call fails with a dead object" \
		watcher_says a.watch1 "watch alpha: $dead"
	check "A: beta's proxy lives: not notified, its call works" \
		watcher_says a.watch1 "watch beta: $alive"
	check "A: beta/kept's proxy lives: not notified, its call works" \
		watcher_says a.watch1 "watch beta/kept: $alive"

	check "A: alpha's import left A's servicemanager" wait_gone a alpha 30

	# ---- 2. B's bridged goes away: every proxy for its objects dies
	daemon_restart b.alpha
	check "B serves alpha again" wait_service b alpha 30
	check "A: alpha imported again" wait_service a alpha 30
	watcher_start a.watch2 alpha beta beta/kept
	daemon_kill b.bridged
	check "A: the watcher (alpha, beta and beta/kept must die) ended by itself, satisfied (status 0)" \
		watcher_done a.watch2
	check "A: alpha's proxy died with the link: notified once, call fails with a dead object" \
		watcher_says a.watch2 "watch alpha: $dead"
	check "A: beta's proxy died with the link: notified once, call fails with a dead object" \
		watcher_says a.watch2 "watch beta: $dead"
	check "A: beta/kept's proxy died with the link: notified once, call fails with a dead object" \
		watcher_says a.watch2 "watch beta/kept: $dead"
	check "A's bridged saw the link close" wait_log a.bridged 20 "link [0-9]+ to hostb closed"
	check "B's alpha is alive" daemon_running b.alpha
	check "B's beta is alive" daemon_running b.beta
fi
check "A's bridged is alive" daemon_running a.bridged
[[ $part == death ]] || check "B's bridged is alive" daemon_running b.bridged

e2e_finish
