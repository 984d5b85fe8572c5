# SPDX-License-Identifier: GPL-2.0
# Benchmark: openat and close stubbed (tier 3, -ENOSYS), decided in the kernel.
openat stub
close stub
