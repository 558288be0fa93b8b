// SPDX-License-Identifier: GPL-2.0
/*
 * 'foliage diff' under THP settings other than the host's defaults: the
 * real processes live under the host's /sys/kernel/mm/transparent_hugepage,
 * so a scenario's 'set transparent_hugepage.X V' (and --mthp) writes the
 * host's file for the run, as root, and every file written is restored
 * to what it said before on every way out: the end of the run, exit(),
 * and the signals that end a process (the handler restores, then dies of
 * the signal again).
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "diff.h"

#define THP_SYSFS	"/sys/kernel/mm/transparent_hugepage"
#define MAX_SAVED	16

/* A host file written for the run, and what it said before. */
struct saved_knob {
	char path[128];			/* the sysfs file */
	char value[32];			/* its word before the run */
};

static struct saved_knob saved[MAX_SAVED];
static volatile sig_atomic_t nr_saved;
static bool hooked;

/* The mTHP sizes below the PMD size, which --mthp sets to "always". */
static const char *const mthp_sizes[] = {
	"16kB", "32kB", "64kB", "128kB", "256kB", "512kB", "1024kB",
};

int diff_thp_read(const char *path, char *word, size_t len)
{
	char buf[256], *l, *r;
	ssize_t n;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return -errno;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n < 0)
		return -EIO;
	buf[n] = '\0';
	l = strchr(buf, '[');
	r = l ? strchr(l, ']') : NULL;
	if (l && r) {
		*r = '\0';
		l++;
	} else {
		buf[strcspn(buf, "\n")] = '\0';
		l = buf;
	}
	if (strlen(l) >= len)
		return -E2BIG;
	memcpy(word, l, strlen(l) + 1);
	return 0;
}

/* Async-signal-safe: open, write, close. */
static int write_word(const char *path, const char *word)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC), ret = 0;

	if (fd < 0)
		return -errno;
	if (write(fd, word, strlen(word)) < 0)
		ret = -errno;
	close(fd);
	return ret;
}

void diff_thp_restore(void)
{
	while (nr_saved > 0) {
		struct saved_knob *k = &saved[nr_saved - 1];

		write_word(k->path, k->value);
		nr_saved--;
	}
}

/* Every host knob a run wrote (THP here, hugetlb in diff_hugetlb.c). */
static void diff_host_restore(void)
{
	diff_thp_restore();
	diff_hugetlb_restore();
}

static void restore_and_die(int sig)
{
	diff_host_restore();
	signal(sig, SIG_DFL);
	raise(sig);
}

/* The first write: restore at exit() and on the deadly signals. */
void diff_host_hook_exits(void)
{
	static const int sigs[] = {
		SIGHUP, SIGINT, SIGQUIT, SIGTERM, SIGPIPE, SIGALRM, SIGUSR1,
		SIGUSR2, SIGSEGV, SIGBUS, SIGABRT, SIGFPE, SIGILL, SIGXCPU,
		SIGXFSZ,
	};
	struct sigaction sa;
	unsigned int i;

	if (hooked)
		return;
	hooked = true;
	atexit(diff_host_restore);
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = restore_and_die;
	sigfillset(&sa.sa_mask);
	for (i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++) {
		struct sigaction old;

		/* Leave handlers others installed (the sanitizers') alone. */
		if (!sigaction(sigs[i], NULL, &old) &&
		    old.sa_handler == SIG_DFL && !(old.sa_flags & SA_SIGINFO))
			sigaction(sigs[i], &sa, NULL);
	}
}

/* The files a scenario may set: enabled, defrag, hugepages-NkB/enabled. */
static bool settable(const char *file)
{
	unsigned int kb;
	char rest[16];

	if (!strcmp(file, "enabled") || !strcmp(file, "defrag"))
		return true;
	return sscanf(file, "hugepages-%ukB/%15s", &kb, rest) == 2 &&
	       !strcmp(rest, "enabled");
}

int diff_thp_set(const char *file, const char *value, char *why, size_t len)
{
	char path[128], word[32];
	struct saved_knob *k;
	int ret, i;

	if (!settable(file)) {
		snprintf(why, len, "the real processes run with the host's "
			 THP_SYSFS "/%s: a scenario cannot set it", file);
		return -EINVAL;
	}
	snprintf(path, sizeof(path), THP_SYSFS "/%s", file);
	ret = diff_thp_read(path, word, sizeof(word));
	if (ret) {
		snprintf(why, len, "cannot read %s: %s", path, strerror(-ret));
		return ret == -ENOENT ? -ENOENT : -EACCES;
	}
	if (!strcmp(word, value))
		return 0;
	if (geteuid() != 0 || access(path, W_OK)) {
		snprintf(why, len, "setting %s to '%s' for the real processes "
			 "needs root and a writable sysfs", path, value);
		return -EACCES;
	}
	for (i = 0; i < nr_saved; i++)
		if (!strcmp(saved[i].path, path))
			break;
	if (i == nr_saved) {
		if (nr_saved == MAX_SAVED) {
			snprintf(why, len, "too many THP files set");
			return -E2BIG;
		}
		diff_host_hook_exits();
		k = &saved[nr_saved];
		snprintf(k->path, sizeof(k->path), "%s", path);
		snprintf(k->value, sizeof(k->value), "%s", word);
		nr_saved++;
	}
	ret = write_word(path, value);
	if (!ret)
		ret = diff_thp_read(path, word, sizeof(word));
	if (!ret && strcmp(word, value))
		ret = -EINVAL;
	if (ret) {
		snprintf(why, len, "cannot set %s to '%s': %s", path, value,
			 strerror(-ret));
		return ret == -EINVAL ? -EINVAL : -EACCES;
	}
	return 0;
}

int diff_thp_set_mthp(char *why, size_t len)
{
	char file[64];
	unsigned int i;
	int ret;

	for (i = 0; i < sizeof(mthp_sizes) / sizeof(mthp_sizes[0]); i++) {
		snprintf(file, sizeof(file), "hugepages-%s/enabled",
			 mthp_sizes[i]);
		ret = diff_thp_set(file, "always", why, len);
		if (ret == -ENOENT)
			continue;	/* a size this host lacks */
		if (ret)
			return ret;
	}
	return 0;
}
