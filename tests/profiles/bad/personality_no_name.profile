# SPDX-License-Identifier: GPL-2.0
# expect: 3: 'personality-module' needs a name
personality-module
