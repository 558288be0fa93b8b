// SPDX-License-Identifier: GPL-2.0
#include <stdio.h>
#include <stdlib.h>

#include "helpers.h"

struct foliage_machine *test_machine(unsigned int nr_nodes, unsigned int mib)
{
	struct foliage_config cfg;
	struct foliage_machine *m = NULL;

	foliage_config_init(&cfg);
	cfg.nr_nodes = nr_nodes;
	cfg.bytes_per_node = (uint64_t)mib << 20;
	assert_int_equal(foliage_machine_create(&cfg, &m), 0);
	assert_non_null(m);
	return m;
}

void test_machine_done(struct foliage_machine *m)
{
	assert_int_equal(foliage_validate(m), 0);
	if (foliage_bugs(m))
		fail_msg("bug: %s", foliage_first_bug(m));
	foliage_machine_destroy(m);
}

char *read_golden(const char *name)
{
	char path[512];
	FILE *f;
	long len;
	char *buf;

	snprintf(path, sizeof(path), "%s/%s", GOLDEN_DIR, name);
	f = fopen(path, "r");
	if (!f)
		fail_msg("cannot open %s", path);
	fseek(f, 0, SEEK_END);
	len = ftell(f);
	fseek(f, 0, SEEK_SET);
	buf = malloc(len + 1);
	assert_non_null(buf);
	assert_int_equal(fread(buf, 1, len, f), len);
	buf[len] = '\0';
	fclose(f);
	return buf;
}

unsigned long vmstat(struct foliage_machine *m, const char *name)
{
	unsigned long v = 0;

	assert_int_equal(foliage_vmstat(m, name, &v), 0);
	return v;
}
