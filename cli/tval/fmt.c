// SPDX-License-Identifier: GPL-2.0
/* The display formats, one row each: what a mapsh:NAME tag means for the
 * engine and for everything above it (which leaves it fits, whether where
 * and sort order it, whether completion lists its values, how per-CPU
 * values fold into one). A new format is a row here plus its codec: text
 * (format.c), parsing (scalar.c) and the compiled formatter (fast.c). */
#include <string.h>
#include "tval/tval_int.h"

static const struct tv_fmt_info rows[] = {
	[TV_FMT_NONE] = { "", "a value", 0, 0, false, false, TV_FOLD_SUM },
	[TV_FMT_IPV4] = { "ipv4", "an address", 4, TV_FITS_ADDR, true, false, TV_FOLD_NONE },
	[TV_FMT_IPV6] = { "ipv6", "an address", 16, TV_FITS_ADDR, true, false, TV_FOLD_NONE },
	[TV_FMT_MAC] = { "mac", "an address", 6, TV_FITS_ADDR, true, false, TV_FOLD_NONE },
	[TV_FMT_PORT] = { "port", "a port", 0, TV_FITS_INT | TV_FITS_2 | TV_FITS_WHOLE, false, false, TV_FOLD_NONE },
	[TV_FMT_BE] = { "be", "a network-order integer", 0, TV_FITS_INT | TV_FITS_2UP | TV_FITS_WHOLE, false, false, TV_FOLD_NONE },
	[TV_FMT_IFINDEX] = { "ifindex", "an interface", 0, TV_FITS_INT, false, true, TV_FOLD_NONE },
	[TV_FMT_KTIME] = { "ktime", "a time", 0, TV_FITS_INT, false, true, TV_FOLD_MAX },
	[TV_FMT_IPPROTO] = { "ipproto", "an IP protocol", 0, TV_FITS_INT, false, true, TV_FOLD_NONE },
	[TV_FMT_TCPFLAGS] = { "tcpflags", "TCP flags", 0, TV_FITS_INT, false, true, TV_FOLD_OR },
	[TV_FMT_HEX] = { "hex", "hex bytes", 0, TV_FITS_NOT_FLOAT, false, false, TV_FOLD_NONE },
	[TV_FMT_COUNTER] = { "counter", "a counter", 0, TV_FITS_INT, false, false, TV_FOLD_SUM },
	[TV_FMT_LOG2HIST] = { "log2hist", "a log2 histogram", 0, TV_FITS_HIST, false, false, TV_FOLD_SUM },
	[TV_FMT_LINHIST] = { "linhist", "a linear histogram", 0, TV_FITS_HIST, false, false, TV_FOLD_SUM },
	[TV_FMT_LOG2] = { "log2", "a log2 bucket index", 0, TV_FITS_INT | TV_FITS_WHOLE, false, false, TV_FOLD_NONE },
};

#define NROWS (sizeof(rows) / sizeof(rows[0]))

const struct tv_fmt_info *tv_fmt_info(enum tv_fmt fmt)
{
	return (unsigned)fmt < NROWS && rows[fmt].name ? &rows[fmt] : &rows[TV_FMT_NONE];
}

const char *tv_fmt_name(enum tv_fmt fmt)
{
	return tv_fmt_info(fmt)->name;
}

int tv_fmt_from_name(const char *name)
{
	for (unsigned i = 1; i < NROWS; i++)
		if (rows[i].name && !strcmp(name, rows[i].name))
			return (int)i;
	return -1;
}

void tv_fmt_list(struct strbuf *sb)
{
	for (unsigned i = 1; i < NROWS; i++) {
		if (i > 1)
			sb_adds(sb, i + 1 < NROWS ? ", " : " or ");
		sb_adds(sb, rows[i].name);
	}
}

bool tv_fmt_fits(enum tv_fmt fmt, enum tv_kind kind, uint32_t elem_size,
		 uint32_t bit_size, uint32_t ndims, uint32_t nelems)
{
	const struct tv_fmt_info *f = tv_fmt_info(fmt);
	bool integer = kind == TV_KIND_UINT || kind == TV_KIND_SINT;

	if (fmt == TV_FMT_NONE)
		return true;
	if (f->fits & TV_FITS_ADDR)
		return false;	/* addresses are placed before leaves are */
	if ((f->fits & TV_FITS_HIST) &&
	    !(kind == TV_KIND_UINT && elem_size <= 8 && !bit_size &&
	      ndims == 1 && nelems >= 2 && nelems <= TV_HIST_MAX))
		return false;
	if ((f->fits & TV_FITS_INT) && !(integer && elem_size <= 8))
		return false;
	if ((f->fits & TV_FITS_2) && elem_size != 2)
		return false;
	if ((f->fits & TV_FITS_2UP) && elem_size < 2)
		return false;
	if ((f->fits & TV_FITS_WHOLE) && bit_size)
		return false;
	if ((f->fits & TV_FITS_NOT_FLOAT) && kind == TV_KIND_FLOAT)
		return false;
	return true;
}

const char *tv_fmt_fits_text(enum tv_fmt fmt)
{
	const struct tv_fmt_info *f = tv_fmt_info(fmt);

	if (f->fits & TV_FITS_ADDR) {
		switch (f->addr_width) {
		case 4: return "4 bytes";
		case 6: return "6 bytes";
		default: return "16 bytes";
		}
	}
	if (f->fits & TV_FITS_HIST)
		return "an array of 2 to 256 unsigned integers";
	if (f->fits & TV_FITS_2)
		return "a 2-byte integer";
	if (f->fits & TV_FITS_2UP)
		return "an integer of 2 to 8 bytes";
	if (f->fits & TV_FITS_INT)
		return "an integer of at most 8 bytes";
	if (f->fits & TV_FITS_NOT_FLOAT)
		return "anything but a float";
	return "any field";
}

const char *tv_fmt_src_name(enum tv_fmt_src src)
{
	static const char *const names[] = {
		[TV_SRC_TYPE] = "type", [TV_SRC_TAG] = "tag",
		[TV_SRC_KNOWN] = "known type", [TV_SRC_GUESS] = "guess",
		[TV_SRC_OPTION] = "option", [TV_SRC_IGNORED] = "ignored",
	};

	return (unsigned)src < sizeof(names) / sizeof(names[0]) ? names[src] : "?";
}
