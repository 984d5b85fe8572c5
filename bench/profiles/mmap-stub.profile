# SPDX-License-Identifier: GPL-2.0
# Benchmark: mmap and munmap stubbed (tier 3, -ENOSYS), decided in the kernel.
mmap stub
munmap stub
