# SPDX-License-Identifier: GPL-2.0
# expect: 3: missing action for 'read'
read
