// SPDX-License-Identifier: GPL-2.0
/* `mapsh export --listen`: /metrics over HTTP with libmicrohttpd (a thread
 * per connection). Scrapes that arrive while the maps are being read wait
 * for that read and share its result, so N concurrent scrapes cost one
 * read. The main thread only waits for SIGINT/SIGTERM. */
#include <errno.h>
#include <netdb.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include "verbs/export/mhd.h"
#include "verbs/export/export.h"
#include "base/err.h"
#include "base/interrupt.h"

#define CT_TEXT "text/plain; version=0.0.4; charset=utf-8"
#define CT_OM "application/openmetrics-text; version=1.0.0; charset=utf-8"

struct server {
	struct xport *x;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	bool busy;		/* a read is under way */
	unsigned long long gen;	/* reads finished */
	struct strbuf last;	/* the last read's exposition */
};

/* One read for every scrape that waits on it: a copy of the exposition,
 * malloc'ed, for the response to free. */
static char *scrape(struct server *s, size_t *len)
{
	char *copy;

	pthread_mutex_lock(&s->mu);
	if (s->busy) {
		unsigned long long g = s->gen;

		while (s->gen == g)
			pthread_cond_wait(&s->cv, &s->mu);
	} else {
		struct strbuf sb = STRBUF_INIT;

		s->busy = true;
		pthread_mutex_unlock(&s->mu);
		xp_collect(s->x, &sb);
		pthread_mutex_lock(&s->mu);
		sb_free(&s->last);
		s->last = sb;
		s->busy = false;
		s->gen++;
		pthread_cond_broadcast(&s->cv);
	}
	*len = s->last.len;
	copy = malloc(s->last.len + 1);
	if (copy)
		memcpy(copy, s->last.buf ? s->last.buf : "", s->last.len + 1);
	pthread_mutex_unlock(&s->mu);
	return copy;
}

static enum MHD_Result reply(struct MHD_Connection *c, unsigned code,
			     const char *ctype, char *body, size_t len,
			     enum MHD_ResponseMemoryMode mode)
{
	struct MHD_Response *r = mhd.create_response_from_buffer(len, body, mode);
	enum MHD_Result ret;

	if (!r)
		return MHD_NO;
	mhd.add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, ctype);
	ret = mhd.queue_response(c, code, r);
	mhd.destroy_response(r);
	return ret;
}

static enum MHD_Result handle(void *cls, struct MHD_Connection *c,
			      const char *url, const char *method,
			      const char *version, const char *upload,
			      size_t *upload_size, void **con_cls)
{
	static const char home[] =
		"mapsh export: the metrics are at /metrics\n";
	static const char notfound[] = "not found: the metrics are at /metrics\n";
	struct server *s = cls;
	const char *accept;
	char *body;
	size_t len;
	bool om;

	if (s->x->web && s->x->web->nusers) {
		static const char denied[] = "401 unauthorized: basic auth needed\n";
		char *pw = NULL;
		char *user = mhd.basic_auth_get_username_password(c, &pw);
		bool ok = xw_auth_ok(s->x->web, user, pw);

		if (user)
			mhd.free(user);
		if (pw)
			mhd.free(pw);
		if (!ok) {
			struct MHD_Response *r = mhd.create_response_from_buffer(
				sizeof(denied) - 1, (char *)denied, MHD_RESPMEM_PERSISTENT);
			enum MHD_Result ret;

			if (!r)
				return MHD_NO;
			ret = mhd.queue_basic_auth_fail_response(c, "mapsh export", r);
			mhd.destroy_response(r);
			return ret;
		}
	}
	if (strcmp(method, "GET") && strcmp(method, "HEAD"))
		return reply(c, MHD_HTTP_METHOD_NOT_ALLOWED, "text/plain",
			     (char *)"only GET\n", 9, MHD_RESPMEM_PERSISTENT);
	if (!strcmp(url, "/"))
		return reply(c, MHD_HTTP_OK, "text/plain", (char *)home,
			     sizeof(home) - 1, MHD_RESPMEM_PERSISTENT);
	if (strcmp(url, "/metrics"))
		return reply(c, MHD_HTTP_NOT_FOUND, "text/plain",
			     (char *)notfound, sizeof(notfound) - 1,
			     MHD_RESPMEM_PERSISTENT);
	body = scrape(s, &len);
	if (!body)
		return MHD_NO;
	accept = mhd.lookup_connection_value(c, MHD_HEADER_KIND,
					     MHD_HTTP_HEADER_ACCEPT);
	om = accept && strstr(accept, "application/openmetrics-text");
	if (om) {
		struct strbuf sb = STRBUF_INIT;

		om_from_text(body, &sb);
		free(body);
		len = sb.len;
		body = sb.buf ? sb.buf : strdup("");	/* the response frees it */
	}
	return reply(c, MHD_HTTP_OK, om ? CT_OM : CT_TEXT, body, len,
		     MHD_RESPMEM_MUST_FREE);
}

/* ADDR:PORT, [V6]:PORT, :PORT (every address) or PORT (loopback) into a
 * listening socket; after saying why, -2 for a bad spec, -1 when it cannot
 * listen (the port is in use, ...). */
static int listen_on(const char *spec)
{
	struct addrinfo hints = { .ai_socktype = SOCK_STREAM,
				  .ai_flags = AI_NUMERICHOST | AI_NUMERICSERV | AI_PASSIVE };
	struct addrinfo *ai = NULL;
	char host[256] = "127.0.0.1";
	const char *port = spec, *colon = strrchr(spec, ':');
	int fd, one = 1, r;
	char *end;
	unsigned long pn;

	if (colon) {
		size_t n = (size_t)(colon - spec);

		if (n && spec[0] == '[' && spec[n - 1] == ']') {
			spec++;
			n -= 2;
		}
		if (n >= sizeof(host)) {
			err_usage("export: --listen '%s': the address is too long", spec);
			return -2;
		}
		memcpy(host, spec, n);
		host[n] = 0;
		port = colon + 1;
	}
	pn = strtoul(port, &end, 10);
	if (!*port || *end || pn > 65535) {
		err_usage("export: --listen '%s': expected ADDR:PORT, :PORT or PORT with PORT 0..65535", spec);
		return -2;
	}
	r = getaddrinfo(*host ? host : NULL, port, &hints, &ai);
	if (r) {
		err_usage("export: --listen '%s': '%s' is not an IP address (%s)",
			  spec, host, gai_strerror(r));
		return -2;
	}
	fd = socket(ai->ai_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0 ||
	    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) ||
	    bind(fd, ai->ai_addr, ai->ai_addrlen) || listen(fd, 64)) {
		err_fail("export: cannot listen on %s: %s", spec, strerror(errno));
		if (fd >= 0)
			close(fd);
		fd = -1;
	}
	freeaddrinfo(ai);
	return fd;
}

int xp_serve(struct xport *x, const char *spec)
{
	struct server s = { .x = x };
	struct MHD_Daemon *d;
	int fd = listen_on(spec);

	if (fd < 0)
		return fd == -2 ? EXIT_USAGE : EXIT_FAIL;
	if (mhd_load()) {
		close(fd);
		return EXIT_FAIL;
	}
	pthread_mutex_init(&s.mu, NULL);
	pthread_cond_init(&s.cv, NULL);
	sb_init(&s.last);
	interrupt_catch();
	if (x->web && x->web->cert_pem)
		d = mhd.start_daemon(MHD_USE_INTERNAL_POLLING_THREAD |
				     MHD_USE_THREAD_PER_CONNECTION | MHD_USE_TLS,
				     0, NULL, NULL, handle, &s,
				     MHD_OPTION_LISTEN_SOCKET, fd,
				     MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)30,
				     MHD_OPTION_HTTPS_MEM_CERT, x->web->cert_pem,
				     MHD_OPTION_HTTPS_MEM_KEY, x->web->key_pem,
				     MHD_OPTION_END);
	else
		d = mhd.start_daemon(MHD_USE_INTERNAL_POLLING_THREAD |
				     MHD_USE_THREAD_PER_CONNECTION,
				     0, NULL, NULL, handle, &s,
				     MHD_OPTION_LISTEN_SOCKET, fd,
				     MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)30,
				     MHD_OPTION_END);
	if (!d) {
		close(fd);
		/* With TLS, a key that does not match the certificate ends here. */
		return err_fail(x->web && x->web->cert_pem ?
				"export: cannot start the HTTPS server on %s (is key_file the key of cert_file?)" :
				"export: cannot start the HTTP server on %s", spec);
	}
	err_warn("export: serving %d map%s at %s://%s/metrics%s", x->nmaps,
		 x->nmaps == 1 ? "" : "s",
		 x->web && x->web->cert_pem ? "https" : "http", spec,
		 x->web && x->web->nusers ? " (basic auth)" : "");
	while (!interrupted())
		usleep(100 * 1000);
	mhd.stop_daemon(d);
	close(fd);
	sb_free(&s.last);
	pthread_cond_destroy(&s.cv);
	pthread_mutex_destroy(&s.mu);
	return EXIT_OK;
}
