# No program break: glibc's malloc must fall back to mmap.
brk stub ENOMEM
