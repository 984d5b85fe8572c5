# SPDX-License-Identifier: GPL-2.0
# Benchmark: read faked (tier 3, returns 0), decided in the kernel.
read fake 0
