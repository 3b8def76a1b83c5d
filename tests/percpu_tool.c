// SPDX-License-Identifier: GPL-2.0
/* Write one entry of a per-CPU map with a value of its own on each CPU,
 * which bpftool cannot (it writes one value to every CPU):
 *   percpu_tool PIN KEYHEX CPU0HEX [CPU1HEX ...]
 * CPUs not given get zeros. Prints the number of possible CPUs with
 *   percpu_tool --cpus
 * (tests/percpu.bats). */
#include <ctype.h>
#include "bpf_raw.h"

static int possible_cpus(void)
{
	FILE *f = fopen("/sys/devices/system/cpu/possible", "r");
	int a, b, n = 0, hi = 0;
	char sep;

	if (!f)
		return 1;
	while (fscanf(f, "%d", &a) == 1) {
		b = a;
		if (fscanf(f, "%c", &sep) == 1 && sep == '-' && fscanf(f, "%d", &b) == 1)
			fscanf(f, "%c", &sep);
		hi = b + 1;
		n++;
	}
	fclose(f);
	return hi ? hi : 1;
}

static int hex(const char *s, unsigned char *out, size_t n)
{
	if (strlen(s) != 2 * n)
		return -1;
	for (size_t i = 0; i < n; i++) {
		unsigned v;

		if (!isxdigit((unsigned char)s[2 * i]) ||
		    !isxdigit((unsigned char)s[2 * i + 1]) ||
		    sscanf(s + 2 * i, "%2x", &v) != 1)
			return -1;
		out[i] = (unsigned char)v;
	}
	return 0;
}

int main(int argc, char **argv)
{
	struct bpf_map_info info;
	union bpf_attr a;
	unsigned char key[512], *val;
	int fd, ncpus = possible_cpus();
	size_t stride;

	if (argc == 2 && !strcmp(argv[1], "--cpus")) {
		printf("%d\n", ncpus);
		return 0;
	}
	if (argc < 4 || argc - 3 > ncpus) {
		fprintf(stderr, "usage: percpu_tool PIN KEYHEX CPU0HEX [CPU1HEX ...] (at most %d CPUs)\n",
			ncpus);
		return 2;
	}
	fd = open_pin(argv[1], &info);
	stride = (info.value_size + 7) / 8 * 8;
	val = calloc((size_t)ncpus, stride);
	if (!val || info.key_size > sizeof(key) || hex(argv[2], key, info.key_size)) {
		fprintf(stderr, "percpu_tool: the key must be %u bytes of hex\n", info.key_size);
		return 2;
	}
	for (int c = 0; c < argc - 3; c++)
		if (hex(argv[3 + c], val + (size_t)c * stride, info.value_size)) {
			fprintf(stderr, "percpu_tool: CPU %d: the value must be %u bytes of hex\n",
				c, info.value_size);
			return 2;
		}
	memset(&a, 0, sizeof(a));
	a.map_fd = (__u32)fd;
	a.key = (unsigned long)key;
	a.value = (unsigned long)val;
	if (bpf(BPF_MAP_UPDATE_ELEM, &a)) {
		perror("BPF_MAP_UPDATE_ELEM");
		return 1;
	}
	return 0;
}
