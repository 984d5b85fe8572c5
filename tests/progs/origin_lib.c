// SPDX-License-Identifier: GPL-2.0
/* The library of origin_rpath, next to it in lib/. */
int kb_origin_answer(void);

int kb_origin_answer(void)
{
	return 42;
}
