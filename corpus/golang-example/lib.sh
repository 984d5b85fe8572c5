# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
# Sourced by the go run workloads: the corpus's helpers, and a copy of
# the warm build cache for this run.
. "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"
cp -r "$CORPUS_DATA/gocache" "$wl_tmp/gocache" || wl_fail "no Go build cache"
export GOCACHE=$wl_tmp/gocache GOPATH=$wl_tmp/gopath GO111MODULE=off HOME=$wl_tmp
