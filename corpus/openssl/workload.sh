#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Loupe's openssl workload: openssl speed rsa4096; passes if the RSA 4096
# row shows a signing rate above 0.
. "$(dirname "$0")/../lib.sh"
wl_run 20 openssl speed -seconds 1 rsa4096
rate=$(awk '$1 == "rsa" && $2 == 4096 { print $5 }' <<<"$wl_out")
awk -v r="$rate" 'BEGIN { exit !(r + 0 > 0) }' || wl_fail "sign/s '$rate'"
