// SPDX-License-Identifier: GPL-2.0
/* libmicrohttpd is opened when `export --listen` starts its server, not
 * linked: linked, it brings gnutls and nine more shared libraries, whose
 * loading, relocation and start-up (gnutls parses its ASN.1 tables) were
 * most of the start of every one-shot command, a typed lookup among them. */
#include <dlfcn.h>
#include <stddef.h>
#include "verbs/export/mhd.h"
#include "base/err.h"

#define MHD_SONAME "libmicrohttpd.so.12"

struct mhd_api mhd;

int mhd_load(void)
{
	static const struct { const char *name; size_t off; } syms[] = {
#define SYM(f) { "MHD_" #f, offsetof(struct mhd_api, f) }
		SYM(start_daemon), SYM(stop_daemon),
		SYM(create_response_from_buffer), SYM(add_response_header),
		SYM(queue_response), SYM(destroy_response),
		SYM(basic_auth_get_username_password), SYM(free),
		SYM(queue_basic_auth_fail_response),
		SYM(lookup_connection_value),
#undef SYM
	};
	void *h;

	if (mhd.start_daemon)
		return 0;
	h = dlopen(MHD_SONAME, RTLD_NOW | RTLD_LOCAL);
	if (!h)
		return err_fail("export --listen needs libmicrohttpd (Debian: libmicrohttpd12): %s",
				dlerror());
	for (size_t i = 0; i < sizeof(syms) / sizeof(syms[0]); i++) {
		void *p = dlsym(h, syms[i].name);

		if (!p) {
			dlclose(h);
			mhd = (struct mhd_api){ 0 };
			return err_fail("export --listen: %s has no %s", MHD_SONAME,
					syms[i].name);
		}
		*(void **)((char *)&mhd + syms[i].off) = p;
	}
	return 0;
}
