// SPDX-License-Identifier: GPL-2.0
/*
 * 'foliage diff' and hugetlb (issue 10): a scenario's
 * 'set vm.nr_hugepages=N', 'set vm.nr_overcommit_hugepages=N' (and the
 * hugepages.hugepages-NkB/ ones) are written to the host's files for the
 * run, as root, and put back at the end (also at exit() and on deadly
 * signals); the HugePages_Total/Free/Rsvd/Surp lines of both sides'
 * meminfo are compared after each operation once a scenario set one.  A
 * pool size the host's memory cannot give skips the run.
 *
 * The knobs and counters are the whole host's: a run that writes them
 * holds an exclusive flock() on HUGETLB_HOST_LOCK from its first write to
 * the restore, so that two runs (two worktrees' test suites, a bench and
 * a diff) never see or save each other's values.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

#include "diff.h"

#define MAX_HUGETLB_SAVED	8
#define HUGETLB_HOST_LOCK	"/tmp/foliage-host-hugetlb.lock"

struct saved_hugetlb_knob {
	char path[128];			/* the host's file */
	char value[32];			/* what it said before the run */
};

static struct saved_hugetlb_knob saved[MAX_HUGETLB_SAVED];
static int nr_saved;
static int lock_fd = -1;		/* HUGETLB_HOST_LOCK, held */

/* Wait for the host's hugetlb knobs to be ours: 0 or -errno. */
static int host_lock(void)
{
	if (lock_fd >= 0)
		return 0;
	lock_fd = open(HUGETLB_HOST_LOCK, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (lock_fd < 0)
		return -errno;
	while (flock(lock_fd, LOCK_EX)) {
		if (errno != EINTR) {
			close(lock_fd);
			lock_fd = -1;
			return -errno;
		}
	}
	return 0;
}

/* The host file a foliage key stands for, or NULL. */
static bool host_path(const char *key, char *path, size_t len)
{
	static const char sysfs[] = "hugepages.hugepages-";

	if (!strcmp(key, "vm.nr_hugepages") ||
	    !strcmp(key, "vm.nr_overcommit_hugepages")) {
		snprintf(path, len, "/proc/sys/vm/%s", key + 3);
		return true;
	}
	if (!strncmp(key, sysfs, sizeof(sysfs) - 1)) {
		snprintf(path, len, "/sys/kernel/mm/hugepages/%s",
			 key + sizeof("hugepages.") - 1);
		return true;
	}
	return false;
}

static int read_line(const char *path, char *buf, size_t len)
{
	FILE *f = fopen(path, "r");
	int ret = 0;

	if (!f)
		return -errno;
	if (!fgets(buf, len, f))
		ret = -EIO;
	fclose(f);
	buf[strcspn(buf, "\n")] = '\0';
	return ret;
}

static int write_line(const char *path, const char *value)
{
	FILE *f = fopen(path, "w");
	int ret = 0;

	if (!f)
		return -errno;
	if (fprintf(f, "%s\n", value) < 0)
		ret = -EIO;
	if (fclose(f))
		ret = ret ?: -errno;
	return ret;
}

void diff_hugetlb_restore(void)
{
	while (nr_saved > 0) {
		nr_saved--;
		(void)write_line(saved[nr_saved].path, saved[nr_saved].value);
	}
	if (lock_fd >= 0) {
		close(lock_fd);		/* drops the flock */
		lock_fd = -1;
	}
}

int diff_hugetlb_set(const char *key, const char *value, char *why,
		     size_t len)
{
	char path[128], old[32];
	int ret, i;

	if (!host_path(key, path, sizeof(path)))
		return 1;
	if (geteuid() == 0 && host_lock()) {
		snprintf(why, len, "cannot lock %s", HUGETLB_HOST_LOCK);
		return -EACCES;
	}
	ret = read_line(path, old, sizeof(old));
	if (ret) {
		snprintf(why, len, "cannot read %s: %s", path, strerror(-ret));
		return -EACCES;
	}
	if (geteuid() != 0 || access(path, W_OK)) {
		snprintf(why, len, "setting %s to %s for the real processes "
			 "needs root", path, value);
		return -EACCES;
	}
	for (i = 0; i < nr_saved; i++)
		if (!strcmp(saved[i].path, path))
			break;
	if (i == nr_saved) {
		if (nr_saved == MAX_HUGETLB_SAVED) {
			snprintf(why, len, "too many hugetlb files set");
			return -E2BIG;
		}
		diff_host_hook_exits();
		snprintf(saved[i].path, sizeof(saved[i].path), "%s", path);
		snprintf(saved[i].value, sizeof(saved[i].value), "%s", old);
		nr_saved++;
	}
	ret = write_line(path, value);
	if (ret) {
		snprintf(why, len, "the host refused %s=%s: %s", path, value,
			 strerror(-ret));
		return -EINVAL;
	}
	/* A pool the host's memory could not fill: nothing to compare. */
	if (!read_line(path, old, sizeof(old)) &&
	    strtoul(old, NULL, 10) != strtoul(value, NULL, 10)) {
		snprintf(why, len, "the host's memory gave %s=%s, not %s",
			 path, old, value);
		return -EACCES;
	}
	return 0;
}

/* HugePages_Total/Free/Rsvd/Surp of a meminfo text. */
static void hugepages_of(const char *text, unsigned long v[4])
{
	static const char *const labels[] = {
		"\nHugePages_Total:", "\nHugePages_Free:", "\nHugePages_Rsvd:",
		"\nHugePages_Surp:",
	};
	unsigned int i;

	for (i = 0; i < 4; i++) {
		const char *p = strstr(text, labels[i]);

		v[i] = p ? strtoul(p + strlen(labels[i]), NULL, 10) : ~0UL;
	}
}

int diff_hugetlb_compare(const char *foliage_meminfo, char *why, size_t len)
{
	unsigned long f[4], r[4];
	char text[8192];
	FILE *file = fopen("/proc/meminfo", "r");
	size_t n;

	if (!file) {
		snprintf(why, len, "cannot read /proc/meminfo");
		return -EIO;
	}
	text[0] = '\n';
	n = fread(text + 1, 1, sizeof(text) - 2, file);
	text[n + 1] = '\0';
	fclose(file);
	hugepages_of(foliage_meminfo, f);
	hugepages_of(text, r);
	if (!memcmp(f, r, sizeof(f)))
		return 0;
	snprintf(why, len, "HugePages Total/Free/Rsvd/Surp: foliage "
		 "%lu/%lu/%lu/%lu, real %lu/%lu/%lu/%lu", f[0], f[1], f[2],
		 f[3], r[0], r[1], r[2], r[3]);
	return 1;
}
