# two_hosts.sh - the two hosts of README's "bridged: binder between hosts"
# section, on this machine, for readme_blocks.sh (which sources this file
# once work and build_dir are set; it uses that script's wait_for_line and
# fail).
#
# Host A and host B are each a network namespace (a veth pair between
# them: A 192.0.2.1/24, B 192.0.2.2/24, the address README's configs use)
# with a mount namespace of its own, in which /etc/bridged and
# /run/binderd (the directory of binderd's default socket,
# BINDERD_DEFAULT_SOCKET) are private: what one host writes there the
# other host and this machine do not see. A third machine, "admin", is a
# mount namespace only, with a private /etc/bridged: the certificates are
# made there and copied to the hosts, as a user makes them on one machine.
# A host whose name is written "host A" in README is A here; its bridged
# node and certificate name is "hosta".
#
#   hosts_setup LINE         makes them, once; non-zero with the reason in
#                            hosts_unavailable where this machine cannot
#                            (no ip, nsenter or unshare; namespaces or a
#                            veth pair refused; /etc read-only); a
#                            daemon that does not start there is a
#                            failure (fail), of README's LINE
#   host_prefix NAME         sets host_command to the command prefix that
#                            runs a program on host A, B or admin: in its
#                            namespaces, in the work copy, without
#                            BINDER_DEVICE, as a user's shell there (so
#                            programs use binderd's default socket)
#   hosts_copy_certs DIR NAME...   copies DIR/ca.crt, DIR/NAME.crt and
#                            DIR/NAME.key from admin to each host NAME, in
#                            the same DIR there (tar through a pipe, as
#                            scp would; modes kept)
#   hosts_remove             removes the namespaces and the mount points
#                            hosts_setup made (readme_blocks.sh's exit
#                            trap, after every process is stopped; bash
#                            runs it on SIGTERM and SIGINT too)
#
# Each host then runs binderd and servicemanager on the default socket, as
# README's walkthrough starts them (--daemon: each returns once it
# serves); host B also runs calculator_service, which its bridged exports
# (README: "Run binderd and servicemanager on each host"; "Host B exports
# its calculator"). Each machine is held by one process, `sleep infinity`
# in its namespaces; every program enters them with nsenter. All of them
# carry the marker in their environment, so readme_blocks.sh's
# stop_everything stops them with the rest. /etc/bridged and /run/binderd
# must exist on this machine to be mount points: where missing they are
# made here (empty) and removed by hosts_remove; nothing is ever written
# to this machine's /etc/bridged. If /dev/binder is a character device
# (the kernel driver), the hosts see a plain file there instead, so that
# their programs take binderd's default socket as README says.

# shellcheck shell=bash
hosts_address_a=192.0.2.1
hosts_address_b=192.0.2.2
hosts_prefix_length=24
hosts_mount_points=(/etc/bridged /run/binderd)
hosts_made_mount_points=()
hosts_namespaces=()
hosts_state=no # no, ready or unavailable
hosts_unavailable=
declare -A hosts_holder # A, B, admin: the pid holding its namespaces
hosts_dir=$work/hosts

hosts_remove() {
	local ns point
	for ns in "${hosts_namespaces[@]}"; do
		ip netns delete "$ns" 2>/dev/null
	done
	hosts_namespaces=()
	for point in "${hosts_made_mount_points[@]}"; do
		rmdir "$point" 2>/dev/null
	done
	hosts_made_mount_points=()
}

host_prefix() {
	local name=$1 pid=${hosts_holder[$1]}
	host_command=(nsenter --target "$pid" --mount --wd="$work")
	[ "$name" = admin ] || host_command+=(--net)
	host_command+=(-- env -u BINDER_DEVICE)
}

# hosts_hold NAME SCRIPT...: starts the process that holds NAME's
# namespaces (SCRIPT... makes them, then runs the holder script) and waits
# until its mounts are made.
hosts_hold() {
	local name=$1 log=$hosts_dir/$1.holder.log
	shift
	local holder='set -e
mount --bind "$1" /etc/bridged
if [ "$2" = host ]; then
	mount -t tmpfs -o mode=0755 readme-binderd /run/binderd
	if [ -c /dev/binder ]; then mount --bind "$3" /dev/binder; fi
fi
echo holding
exec env --default-signal=INT sleep infinity'
	mkdir -p "$hosts_dir/$name/etc-bridged"
	local kind="host"
	[ "$name" = admin ] && kind=admin
	"$@" sh -c "$holder" holder "$hosts_dir/$name/etc-bridged" "$kind" \
		"$hosts_dir/no-binder" >"$log" 2>&1 &
	hosts_holder[$name]=$!
	wait_for_line "$log" '^holding$' "${hosts_holder[$name]}" ||
		{ hosts_unavailable="cannot make $name's mount namespace: $(tr '\n' ' ' <"$log")" && return 1; }
}

# hosts_make_network: the namespaces hosts_namespaces names, and the veth
# pair between them.
hosts_make_network() {
	local ns_a=${hosts_namespaces[0]} ns_b=${hosts_namespaces[1]} veth_a=rdm$$a veth_b=rdm$$b
	ip netns add "$ns_a" &&
		ip netns add "$ns_b" &&
		ip link add "$veth_a" netns "$ns_a" type veth peer name "$veth_b" netns "$ns_b" &&
		ip -n "$ns_a" addr add "$hosts_address_a/$hosts_prefix_length" dev "$veth_a" &&
		ip -n "$ns_b" addr add "$hosts_address_b/$hosts_prefix_length" dev "$veth_b" &&
		ip -n "$ns_a" link set lo up &&
		ip -n "$ns_b" link set lo up &&
		ip -n "$ns_a" link set "$veth_a" up &&
		ip -n "$ns_b" link set "$veth_b" up
}

# hosts_start_daemons NAME: binderd and servicemanager on NAME; non-zero
# (the log on stderr) if either did not start.
hosts_start_daemons() {
	local name=$1 log=$hosts_dir/$1.daemons.log
	host_prefix "$name"
	timeout 30 "${host_command[@]}" "$build_dir/driver/binderd" --daemon >>"$log" 2>&1 &&
		timeout 30 "${host_command[@]}" "$build_dir/driver/servicemanager/servicemanager" \
			--daemon >>"$log" 2>&1 && return 0
	sed "s/^/    | /" "$log" >&2
	return 1
}

hosts_setup() {
	local line=$1
	case $hosts_state in
	ready) return 0 ;;
	unavailable) return 1 ;;
	esac
	hosts_state=unavailable
	local tool point output
	for tool in ip nsenter unshare; do
		command -v "$tool" >/dev/null ||
			{ hosts_unavailable="the $tool command is missing" && return 1; }
	done
	rm -rf "$hosts_dir"
	mkdir -p "$hosts_dir"
	: >"$hosts_dir/no-binder"
	for point in "${hosts_mount_points[@]}"; do
		[ -d "$point" ] && continue
		if ! output=$(mkdir "$point" 2>&1); then
			hosts_unavailable="cannot make the mount point $point: $output"
			return 1
		fi
		hosts_made_mount_points+=("$point")
	done
	hosts_namespaces=("readme-$$-a" "readme-$$-b")
	if ! output=$(hosts_make_network 2>&1); then
		hosts_unavailable="cannot make network namespaces and a veth pair: $output"
		return 1
	fi
	hosts_hold admin unshare --mount --propagation private || return 1
	hosts_hold A ip netns exec "${hosts_namespaces[0]}" || return 1
	hosts_hold B ip netns exec "${hosts_namespaces[1]}" || return 1
	echo "two hosts: A (network namespace ${hosts_namespaces[0]}, $hosts_address_a)" \
		"and B (${hosts_namespaces[1]}, $hosts_address_b), a veth pair between them;" \
		"each with a private /etc/bridged and /run/binderd"
	# From here on, a failure is the test's (fail, with README's line):
	# the hosts exist.
	hosts_state=ready
	hosts_start_daemons A || fail "$line: host A: binderd or servicemanager did not start"
	hosts_start_daemons B || fail "$line: host B: binderd or servicemanager did not start"
	local log=$hosts_dir/B.calculator_service.log
	host_prefix B
	"${host_command[@]}" "$build_dir/examples/calculator/calculator_service" >"$log" 2>&1 &
	if ! wait_for_line "$log" "is ready" $!; then
		fail "$line: host B: calculator_service did not become ready"
		sed "s/^/    | /" "$log" >&2
	fi
	echo "each host runs binderd and servicemanager (default socket); host B runs calculator_service"
}

# hosts_copy_certs DIR NAME...: see the top of the file.
hosts_copy_certs() {
	local dir=$1 name host status=0
	shift
	for name in "$@"; do
		if ! [[ $name =~ ^host([ab])$ ]]; then
			echo "no host for the certificate $name (host A is hosta, host B hostb)" >&2
			status=1
			continue
		fi
		host=${BASH_REMATCH[1]^^}
		host_prefix admin
		local from=("${host_command[@]}")
		host_prefix "$host"
		if "${from[@]}" tar -C "$dir" -cf - ca.crt "$name.crt" "$name.key" |
			"${host_command[@]}" tar -C "$dir" -xpf -; then
			echo "copied $dir/ca.crt, $name.crt and $name.key to host $host"
		else
			status=1
		fi
	done
	return "$status"
}
