# Sourced by tests/e2e/fleet.sh and bench/fleet.sh: one member of a
# three-node JetStream cluster whose routes are on loopback.
#   nats_conf N LISTEN CLUSTER_BASE STORE   (configuration on stdout)
# server N (1-3) serves clients on LISTEN and its peers on 127.0.0.1 port
# CLUSTER_BASE+N; JetStream keeps its files in STORE.
nats_conf() {
	local b=$3
	cat <<C
server_name: n$1
listen: $2
jetstream { store_dir: "$4" }
cluster {
	name: ue
	listen: 127.0.0.1:$(($b + $1))
	routes: [ nats-route://127.0.0.1:$(($b + 1)), nats-route://127.0.0.1:$(($b + 2)), nats-route://127.0.0.1:$(($b + 3)) ]
}
C
}
