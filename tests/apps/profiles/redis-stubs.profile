# Redis without resource limits, memory size or memory advice: the OS
# under test implements none of them (issue 4). Redis only reads the
# limits (and raises the fd limit if it can), sizes its memory reports
# from sysinfo through sysconf(), and jemalloc's madvise is advice.
sysinfo   stub
getrlimit stub
prlimit64 stub
madvise   stub
