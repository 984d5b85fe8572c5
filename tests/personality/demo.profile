# SPDX-License-Identifier: GPL-2.0
# tests/guest/personality_guest.sh: the example personality module
# (examples/personality/kbdemo.ko) decides what this profile passes and
# it implements: uname, getpid, openat of /proc/cpuinfo, sethostname.
personality-module demo
# A syscall the personality does not implement: Linux's, as without it.
getppid pass
