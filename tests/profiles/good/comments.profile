# SPDX-License-Identifier: GPL-2.0
# Blank lines, comment-only lines, CRLF line ends, no newline at the end.

   # indented comment
read pass   
write pass  # comment
close pass
getpid pass