// SPDX-License-Identifier: GPL-2.0
/*
 * Scenario verbs of hugetlb (issue 10): the hugetlb[=2M|1G] and noreserve
 * options of mmap and file, and expect hugepages SIZE FILE OP VALUE
 * (fallocate FILE RANGE punch|keep, for every kind of file, is in
 * as_gmem.c).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "scenario.h"

int scn_parse_hugetlb(struct scenario *s, struct scn_args *a, bool word,
		      unsigned int *size_bits, bool *hugetlb)
{
	const char *v = scn_arg(a, "hugetlb");

	*size_bits = 0;
	*hugetlb = word || v;
	if (word && v)
		return scn_usage(s, "%s: hugetlb given twice", s->verb);
	if (!v)
		return SCN_OK;
	if (!strcmp(v, "2M"))
		*size_bits = 21;
	else if (!strcmp(v, "1G"))
		*size_bits = 30;
	else
		return scn_usage(s, "%s: bad huge page size '%s': expected "
				 "hugetlb=2M or hugetlb=1G", s->verb, v);
	return SCN_OK;
}

/*
 * expect hugepages SIZE FILE OP VALUE: a file of
 * /sys/kernel/mm/hugepages/hugepages-SIZE/ ("2048kB", "free_hugepages").
 */
int scn_expect_hugepages(struct scenario *s, struct scn_args *a)
{
	static const char *const files[] = {
		"nr_hugepages", "free_hugepages", "resv_hugepages",
		"surplus_hugepages", "nr_overcommit_hugepages",
	};
	const char *size = a->words[1], *file = a->words[2];
	char want[96], what[128], *text = NULL, *p;
	struct scn_cmp c;
	unsigned int i;
	int ret;

	if (strcmp(size, "2048kB") && strcmp(size, "1048576kB"))
		return scn_usage(s, "expect hugepages: unknown size '%s': "
				 "expected 2048kB or 1048576kB", size);
	for (i = 0; i < sizeof(files) / sizeof(files[0]); i++)
		if (!strcmp(file, files[i]))
			break;
	if (i == sizeof(files) / sizeof(files[0]))
		return scn_usage(s, "expect hugepages: unknown file '%s': "
				 "expected nr_hugepages, free_hugepages, "
				 "resv_hugepages, surplus_hugepages or "
				 "nr_overcommit_hugepages", file);
	ret = scn_parse_cmp(s, a->words[3], a->words[4], &c);
	if (ret)
		return ret;
	ret = foliage_render(s->m, "hugepages", 0, &text);
	if (ret)
		return scn_fail(s, "expect hugepages: %s", scn_errstr(ret));
	snprintf(want, sizeof(want), "hugepages-%s/%s: ", size, file);
	p = strstr(text, want);
	snprintf(what, sizeof(what), "hugepages-%s/%s", size, file);
	ret = p ? scn_check_cmp(s, what, &c,
				strtoull(p + strlen(want), NULL, 10)) :
		  scn_fail(s, "expect hugepages: no %s", what);
	free(text);
	return ret;
}
