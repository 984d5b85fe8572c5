# SPDX-License-Identifier: GPL-2.0
# Benchmark: read stubbed (tier 3, -ENOSYS), decided in the kernel.
read stub
