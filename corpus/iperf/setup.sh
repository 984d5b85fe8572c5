#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# A copy of iperf for the client, which is not under analysis.
cp /usr/bin/iperf "$CORPUS_DATA/iperf-client"
