# SPDX-License-Identifier: GPL-2.0
# Benchmark: getppid passed through (tier 1), like every other syscall.
getppid pass
