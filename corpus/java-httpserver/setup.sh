#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# HttpServerApp.class, compiled once (not under analysis).
javac -d "$CORPUS_DATA" "$(dirname "$0")/HttpServerApp.java"
