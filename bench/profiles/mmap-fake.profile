# SPDX-License-Identifier: GPL-2.0
# Benchmark: mmap and munmap faked (tier 3, returns 0), decided in the kernel.
mmap fake 0
munmap fake 0
