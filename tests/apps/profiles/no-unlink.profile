# Files cannot be removed: the calls fail and must not run.
unlink   stub EPERM
unlinkat stub EPERM
