// SPDX-License-Identifier: GPL-2.0
/* ringbuf_read PINNED_PATH: consume the records a ring buffer holds now and
 * print each as one line of hex bytes. A test reader for the ground-floor
 * tests, independent of mapsh's own decoder. */
#include <stdio.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

static int print_record(void *ctx, void *data, size_t len)
{
	const unsigned char *p = data;

	for (size_t i = 0; i < len; i++)
		printf("%02x", p[i]);
	putchar('\n');
	return 0;
}

int main(int argc, char **argv)
{
	struct ring_buffer *rb;
	int fd;

	if (argc != 2) {
		fprintf(stderr, "usage: ringbuf_read PINNED_PATH\n");
		return 2;
	}
	fd = bpf_obj_get(argv[1]);
	if (fd < 0) {
		perror(argv[1]);
		return 1;
	}
	rb = ring_buffer__new(fd, print_record, NULL, NULL);
	if (!rb) {
		perror("ring_buffer__new");
		return 1;
	}
	if (ring_buffer__consume(rb) < 0)
		return 1;
	ring_buffer__free(rb);
	return 0;
}
