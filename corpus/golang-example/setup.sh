#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# A warm Go build cache (the runtime, cgo, net/http...), made natively
# once by building every Go program of the corpus; each run copies it, so
# that what one run's stubs do to it cannot reach the next.
set -eu
export GOCACHE=$CORPUS_DATA/gocache GOPATH=$CORPUS_DATA/gopath GO111MODULE=off
for f in "$(dirname "$0")"/../golang-*/*.go; do
	go build -o /dev/null "$f"
done
