# SPDX-License-Identifier: GPL-2.0
# Benchmark: getppid faked (tier 3, returns 0), decided in the kernel.
getppid fake 0
