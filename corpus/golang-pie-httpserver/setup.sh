#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# The server, built once as PIE (not under analysis).
set -eu
export GOCACHE=$CORPUS_DATA/gocache GOPATH=$CORPUS_DATA/gopath GO111MODULE=off
go build -buildmode=pie -o "$CORPUS_DATA/server" "$(dirname "$0")/../golang-httpserver/server.go"
