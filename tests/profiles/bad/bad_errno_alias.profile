# SPDX-License-Identifier: GPL-2.0
# expect: 3: bad errno 'ENOTSUP'
read stub ENOTSUP
