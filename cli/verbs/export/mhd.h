/* SPDX-License-Identifier: GPL-2.0 */
/* libmicrohttpd, opened by `export --listen` only (mhd.c). */
#ifndef MAPSH_EXPORT_MHD_H
#define MAPSH_EXPORT_MHD_H

#include <microhttpd.h>

/* The functions export's server calls, typed by the library's header. */
struct mhd_api {
	__typeof__(MHD_start_daemon) *start_daemon;
	__typeof__(MHD_stop_daemon) *stop_daemon;
	__typeof__(MHD_create_response_from_buffer) *create_response_from_buffer;
	__typeof__(MHD_add_response_header) *add_response_header;
	__typeof__(MHD_queue_response) *queue_response;
	__typeof__(MHD_destroy_response) *destroy_response;
	__typeof__(MHD_basic_auth_get_username_password) *basic_auth_get_username_password;
	__typeof__(MHD_free) *free;
	__typeof__(MHD_queue_basic_auth_fail_response) *queue_basic_auth_fail_response;
	__typeof__(MHD_lookup_connection_value) *lookup_connection_value;
};

extern struct mhd_api mhd;

/* Open the library and fill mhd: 0, or EXIT_FAIL after saying why. */
int mhd_load(void);

#endif
