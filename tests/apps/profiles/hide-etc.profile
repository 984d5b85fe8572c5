# Pseudo-file and path rules of the open family: the rule reads the path
# the program passed, so these calls are decided through SIGSYS.
openat when path=/etc/host* stub ENOENT
openat when path=/proc/self/status stub EACCES
openat when path=/dev/null fake 99
