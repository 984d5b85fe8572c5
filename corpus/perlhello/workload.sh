#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Loupe's perlhello workload: perl prints hello from a one-line script.
out=$(timeout -k 1 5 perl -e 'print "hello\n"') && [ "$out" = hello ]
