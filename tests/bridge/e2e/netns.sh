# netns.sh - a network between host A and host B for bridged's end-to-end
# tests: two network namespaces joined by a veth pair, and nftables rules
# in B's namespace that drop some packets, or all of them for a while.
# Sourced after hosts.sh:
#
#   source netns.sh
#   netns_setup        # or the test is skipped (exit 77, said loudly)
#
# netns_setup makes the namespaces (A 10.79.0.1, B 10.79.0.2), sets
# E2E_NETNS_A/_B and E2E_ADDRESS_A/_B for hosts.sh (each bridged then runs
# in its namespace; binderd, servicemanager, services and clients stay in
# this one: their sockets are paths) and has the exit trap remove them on
# every exit path. Where namespaces or nftables cannot be used (not root,
# no `ip` or `nft`, a kernel without veth or nf_tables), the test is
# skipped with NETNS_SKIP_STATUS, which CMake registers as the test's
# SKIP_RETURN_CODE.
#
# The rules all sit in B's namespace, on its input and output hooks, so
# each packet between A and B meets exactly one of them:
#   link_loss_start / link_loss_end: each packet is dropped with chance
#     1 in 10 (`numgen random mod 10 0 drop`); link_loss_dropped prints how
#     many were dropped so far.
#   link_cut_start / link_cut_end: every packet is dropped.

NETNS_SKIP_STATUS=77
netns_address_a=10.79.0.1
netns_address_b=10.79.0.2
netns_prefix_length=24
netns_a=
netns_b=

# netns_skip REASON: the test cannot run here: said loudly, exit 77.
netns_skip() {
	{
		echo "################################################################"
		echo "$e2e_program: SKIPPED: $1"
		echo "(this test needs root, iproute2 and nftables; it is not run here)"
		echo "################################################################"
	} >&2
	# Nothing started yet: the exit trap need not print logs.
	e2e_finished=1
	exit "$NETNS_SKIP_STATUS"
}

netns_remove() {
	local ns
	for ns in "$netns_a" "$netns_b"; do
		[[ -n $ns ]] && ip netns delete "$ns" 2>/dev/null
	done
	netns_a= netns_b=
}

# netns_run HOST CMD...: CMD in HOST's namespace.
netns_run() {
	local ns=$netns_a
	[[ $1 == b ]] && ns=$netns_b
	shift
	ip netns exec "$ns" "$@"
}

# netns_make: the namespaces netns_a and netns_b, and the veth pair.
netns_make() {
	local veth_a=bre$$a veth_b=bre$$b
	ip netns add "$netns_a" &&
		ip netns add "$netns_b" &&
		ip link add "$veth_a" netns "$netns_a" type veth peer name "$veth_b" netns "$netns_b" &&
		ip -n "$netns_a" addr add "$netns_address_a/$netns_prefix_length" dev "$veth_a" &&
		ip -n "$netns_b" addr add "$netns_address_b/$netns_prefix_length" dev "$veth_b" &&
		ip -n "$netns_a" link set lo up &&
		ip -n "$netns_b" link set lo up &&
		ip -n "$netns_a" link set "$veth_a" up &&
		ip -n "$netns_b" link set "$veth_b" up
}

netns_setup() {
	command -v ip >/dev/null || netns_skip "the ip command (iproute2) is missing"
	command -v nft >/dev/null || netns_skip "the nft command (nftables) is missing"
	[[ $(id -u) == 0 ]] || netns_skip "not root: cannot make network namespaces"
	netns_a=bridge-e2e-$$-a
	netns_b=bridge-e2e-$$-b
	e2e_on_exit_hooks+=(netns_remove)
	local output
	if ! output=$(netns_make 2>&1); then
		netns_remove
		netns_skip "cannot make network namespaces and a veth pair: $output"
	fi
	# nftables usable in B's namespace (a table made and removed).
	if ! output=$(netns_run b nft add table inet e2e_probe 2>&1 &&
		netns_run b nft delete table inet e2e_probe 2>&1); then
		netns_remove
		netns_skip "nftables does not work in a network namespace here: $output"
	fi
	# A reaches B (bounded: 5 pings, 1 s each at most).
	if command -v ping >/dev/null &&
		! netns_run a ping -q -c 1 -W 1 "$netns_address_b" >/dev/null 2>&1 &&
		! netns_run a ping -q -c 4 -W 1 "$netns_address_b" >/dev/null 2>&1; then
		netns_remove
		netns_skip "the veth pair does not carry packets"
	fi
	E2E_NETNS_A=$netns_a
	E2E_NETNS_B=$netns_b
	E2E_ADDRESS_A=$netns_address_a
	E2E_ADDRESS_B=$netns_address_b
	echo "network: namespaces $netns_a (A, $netns_address_a) and $netns_b (B, $netns_address_b), a veth pair between them"
}

# netns_rules TABLE RULE: a table in B's namespace that applies RULE to
# every packet in and out.
netns_rules() {
	netns_run b nft -f - <<EOF
table inet $1 {
	chain input { type filter hook input priority 0; policy accept; $2; }
	chain output { type filter hook output priority 0; policy accept; $2; }
}
EOF
}

link_loss_start() {
	netns_rules e2e_loss "numgen random mod 10 0 counter drop"
}

link_loss_end() {
	netns_run b nft delete table inet e2e_loss
}

# The packets dropped by link_loss_start's rules so far.
link_loss_dropped() {
	netns_run b nft list table inet e2e_loss |
		grep -oE 'counter packets [0-9]+' | awk '{ sum += $3 } END { print sum + 0 }'
}

link_cut_start() {
	netns_rules e2e_cut "counter drop"
}

link_cut_end() {
	netns_run b nft delete table inet e2e_cut
}
