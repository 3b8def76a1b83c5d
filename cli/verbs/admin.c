// SPDX-License-Identifier: GPL-2.0
/* Administrative verbs: freeze, pin. */
#include <errno.h>
#include <string.h>
#include <bpf/bpf.h>
#include "base/err.h"
#include "verbs/map_verbs.h"

int verb_freeze(struct ctx *ctx, const struct cmd *cmd,
		const struct opt_vals *opts, int argc, char **argv)
{
	struct mapref *m = ctx->map;
	int rc = verb_no_args(m, cmd->name, argc, argv);

	if (rc)
		return rc;
	if (mapref_is_frozen(m))
		return err_fail("%s is frozen already", m->name);
	if (bpf_map_freeze(m->fd)) {
		if (errno == EBUSY)
			return err_fail("%s freeze: the map is in use for writing (mmap'ed writable)",
					m->name);
		return err_fail("%s freeze: %s", m->name, strerror(errno));
	}
	return EXIT_OK;
}

int verb_pin(struct ctx *ctx, const struct cmd *cmd,
	     const struct opt_vals *opts, int argc, char **argv)
{
	struct mapref *m = ctx->map;

	if (argc != 1)
		return err_usage("%s pin: %s (expected one PATH on a bpffs)", m->name,
				 argc ? "too many arguments" : "no path given");
	if (bpf_obj_pin(m->fd, argv[0])) {
		const char *base = strrchr(argv[0], '/') ? strrchr(argv[0], '/') + 1 : argv[0];
		int e = errno;

		if (e == EEXIST)
			return err_fail("%s pin: %s exists already", m->name, argv[0]);
		if (e == ENOENT)
			return err_fail("%s pin: the directory of %s does not exist", m->name,
					argv[0]);
		if (e == EPERM && strchr(base, '.'))
			return err_fail("%s pin: %s: a name on a bpffs cannot contain '.'",
					m->name, argv[0]);
		if (e == EPERM || e == EINVAL)
			return err_fail("%s pin: %s is not on a bpffs (%s)", m->name,
					argv[0], strerror(e));
		return err_fail("%s pin: %s: %s", m->name, argv[0], strerror(e));
	}
	return EXIT_OK;
}
