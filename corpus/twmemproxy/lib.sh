# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
# Sourced by twmemproxy's workloads: memcached (not under analysis) and
# nutcracker in front of it, on free ports; the proxy's port in proxy,
# its stats port in stats.
. "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"
mc=$(free_port) && proxy=$(free_port) && stats=$(free_port) || wl_fail "no free port"
wl_start memcached -l 127.0.0.1 -p "$mc" -U 0 -t 1 -m 16 -u root >"$wl_tmp/mc.log" 2>&1
wl_wait_port "$mc" "$wl_pid" || wl_fail "no memcached on $mc"
cat >"$wl_tmp/nutcracker.yml" <<CONF
alpha:
  listen: 127.0.0.1:$proxy
  hash: fnv1a_64
  distribution: ketama
  timeout: 1000
  servers:
   - 127.0.0.1:$mc:1
CONF
wl_start nutcracker -c "$wl_tmp/nutcracker.yml" -s "$stats" -a 127.0.0.1 \
	-o "$wl_tmp/nutcracker.log" -p "$wl_tmp/nutcracker.pid"
server=$wl_pid
wl_logs+=("$wl_tmp/nutcracker.log")
wl_wait_port "$proxy" "$server" || wl_fail "nutcracker not listening on $proxy"
wl_step listening
