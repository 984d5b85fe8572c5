# SPDX-License-Identifier: GPL-2.0
# Benchmark: getppid stubbed (tier 3, -ENOSYS), decided in the kernel.
getppid stub
