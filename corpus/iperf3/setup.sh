#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# A copy of iperf3 for the client: kbctl analyze --only takes every
# process that runs /usr/bin/iperf3, and Loupe traced the server alone.
cp /usr/bin/iperf3 "$CORPUS_DATA/iperf3-client"
