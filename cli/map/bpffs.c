// SPDX-License-Identifier: GPL-2.0
/* The BPF filesystem and mapsh's pin layout: see bpffs.h. */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <linux/magic.h>
#include "map/bpffs.h"
#include "base/err.h"

#ifndef BPF_FS_MAGIC
#define BPF_FS_MAGIC 0xcafe4a11
#endif

bool bpffs_is_bpffs(const char *path)
{
	struct statfs st;

	if (statfs(path, &st) < 0)
		return false;
	return (unsigned long)st.f_type == (unsigned long)BPF_FS_MAGIC;
}

bool path_exists(const char *path)
{
	struct stat st;

	return lstat(path, &st) == 0;
}

/* Nearest existing ancestor of path (path itself when it exists). */
static int nearest_existing(const char *path, char *out, size_t size)
{
	struct stat st;
	char *slash;

	if (strlen(path) >= size)
		return -ENAMETOOLONG;
	strcpy(out, path);
	for (;;) {
		/* drop trailing slashes but keep a lone "/" */
		size_t n = strlen(out);

		while (n > 1 && out[n - 1] == '/')
			out[--n] = '\0';
		if (stat(out, &st) == 0)
			return S_ISDIR(st.st_mode) ? 0 : -ENOTDIR;
		if (errno != ENOENT)
			return -errno;
		slash = strrchr(out, '/');
		if (!slash) {
			strcpy(out, ".");
			continue;
		}
		if (slash == out)
			out[1] = '\0';
		else
			*slash = '\0';
	}
}

/* True when dir resolves to /sys/fs/bpf and nothing is mounted there (it is
 * on the same device as /sys/fs, the plain sysfs directory). */
static bool default_mnt_missing(const char *dir)
{
	char real[PATH_MAX];
	struct stat here, parent;

	if (!realpath(dir, real) || strcmp(real, BPFFS_DEFAULT_MNT))
		return false;
	if (stat(BPFFS_DEFAULT_MNT, &here) < 0 || stat(BPFFS_DEFAULT_MNT "/..", &parent) < 0)
		return false;
	return here.st_dev == parent.st_dev;
}

static int mount_default(void)
{
	if (mount("bpf", BPFFS_DEFAULT_MNT, "bpf", 0, "mode=0700") < 0)
		return err_fail("no BPF filesystem at %s and mounting one failed: %s "
				"(try: mount -t bpf bpf %s)",
				BPFFS_DEFAULT_MNT, strerror(errno), BPFFS_DEFAULT_MNT);
	return EXIT_OK;
}

int bpffs_ensure_for(const char *dir)
{
	char existing[PATH_MAX];

	/* errors are bpffs_check_dir's to report */
	if (!dir || !*dir || nearest_existing(dir, existing, sizeof(existing)))
		return EXIT_OK;
	if (bpffs_is_bpffs(existing) || !default_mnt_missing(existing))
		return EXIT_OK;
	return mount_default();
}

int bpffs_check_dir(const char *dir)
{
	char existing[PATH_MAX];
	int err;

	if (!dir || !*dir)
		return err_fail("empty pin directory");
	err = nearest_existing(dir, existing, sizeof(existing));
	if (err == -ENOTDIR)
		return err_fail("%s: %s is not a directory", dir, existing);
	if (err)
		return err_fail("%s: %s", dir, strerror(-err));
	if (!bpffs_is_bpffs(existing))
		return err_fail("%s is not on a BPF filesystem (bpffs); use a directory "
				"under %s or mount one with: mount -t bpf bpf DIR",
				dir, BPFFS_DEFAULT_MNT);
	return EXIT_OK;
}

int bpffs_mkdir_p(const char *dir, char **created, int max, int *ncreated)
{
	char path[PATH_MAX];
	size_t len = strlen(dir);
	struct stat st;

	if (len == 0)
		return -EINVAL;
	if (len >= sizeof(path))
		return -ENAMETOOLONG;
	strcpy(path, dir);
	for (size_t i = 1; i <= len; i++) {
		if (path[i] != '/' && path[i] != '\0')
			continue;
		if (path[i - 1] == '/')
			continue;	/* "//" */
		path[i] = '\0';
		if (stat(path, &st) == 0) {
			if (!S_ISDIR(st.st_mode))
				return -ENOTDIR;
		} else if (errno != ENOENT) {
			return -errno;
		} else if (mkdir(path, 0700) < 0 && errno != EEXIST) {
			return -errno;
		} else if (created && ncreated && *ncreated < max) {
			char *p = strdup(path);

			if (p)
				created[(*ncreated)++] = p;
		}
		if (i < len)
			path[i] = '/';
	}
	return 0;
}

static int join(char *buf, size_t size, const char *a, const char *b,
		const char *c)
{
	int n;

	if (c)
		n = snprintf(buf, size, "%s/%s/%s", a, b, c);
	else
		n = snprintf(buf, size, "%s/%s", a, b);
	if (n < 0 || (size_t)n >= size)
		return -ENAMETOOLONG;
	return 0;
}

int pin_map_path(char *buf, size_t size, const char *pin_dir, const char *map)
{
	return join(buf, size, pin_dir, map, NULL);
}

int pin_prog_path(char *buf, size_t size, const char *pin_dir, const char *prog)
{
	return join(buf, size, pin_dir, PIN_PROGS_SUBDIR, prog);
}

int pin_inner_path(char *buf, size_t size, const char *pin_dir,
		   const char *outer, const char *ifname)
{
	char name[PATH_MAX];
	int n = snprintf(name, sizeof(name), "%s_%s", outer, ifname);

	if (n < 0 || (size_t)n >= sizeof(name))
		return -ENAMETOOLONG;
	return join(buf, size, pin_dir, PIN_INNER_SUBDIR, name);
}
