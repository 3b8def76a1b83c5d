#!/usr/bin/env bats
# Saying how a field shows: --as PATH=FORMAT, types for maps without BTF
# (--btf FILE --key-type T --value-type T), the types files, well-known
# kernel types, safe name guesses, and what `info` says about each field.
# Maps are made here: with bpftool and no BTF, or from
# tests/tools/ty_types.bpf.c.

bats_require_minimum_version 1.5.0
load helpers

OBJ="$TOP/build/ty_types.bpf.o"
VT="--value-type"

setup() {
	setup_bpffs
	ID=$(_unique_id)
}
teardown() { teardown_common; }

# The ty_vals map of ty_types.bpf.o (with BTF), pinned at $TYV.
load_ty() {
	bpftool prog loadall "$OBJ" "$BPFFS/p" pinmaps "$BPFFS/m" || fail "loadall"
	TYV="$BPFFS/m/ty_vals"
}

# A map without BTF at $BPFFS/NAME: mk_nobtf NAME KEYSIZE VALUESIZE
mk_nobtf() {
	KN="t$ID${1:0:5}"
	bpftool map create "$BPFFS/$1" type hash key "$2" value "$3" entries 8 name "$KN" ||
		fail "map create"
}

@test "well-known types show as addresses without a tag; num_ip and stomach stay numbers" {
	load_ty
	run --separate-stderr mapsh pinned "$TYV" update 1 src6=fe80::1 eth=aa:bb:cc:dd:ee:ff \
		h_source=01:02:03:04:05:06 stomach=[1,2,3,4,5,6] num_ip=5 dst_ip=10.0.0.1 plain=3
	assert_success
	[ -z "$stderr" ] || fail "$stderr"
	# the bytes are what was said: in6_addr, the ethaddr struct, num_ip 5 (host order)
	run bpftool -j map lookup pinned "$TYV" key 1 0 0 0
	[ "$(jq -r '.value | .[0:2] + .[15:22] + .[36:40] | join(" ")' <<<"$output")" = \
		"0xfe 0x80 0x01 0xaa 0xbb 0xcc 0xdd 0xee 0xff 0x05 0x00 0x00 0x00" ] || fail "$output"
	run --separate-stderr mapsh -j pinned "$TYV" lookup 1
	assert_success
	[ "$(jq -c '.value' <<<"$output")" = \
		'{"src6":"fe80::1","eth":"aa:bb:cc:dd:ee:ff","h_source":"01:02:03:04:05:06","stomach":[1,2,3,4,5,6],"num_ip":5,"dst_ip":"10.0.0.1","plain":3}' ] ||
		fail "$output"
	# where on a known type
	run --separate-stderr mapsh pinned "$TYV" dump where src6 == fe80::1
	assert_success
	[ "${#lines[@]}" -eq 1 ] || fail "$output"
}

@test "a guessed address still takes a plain number" {
	load_ty
	run --separate-stderr mapsh pinned "$TYV" update 2 dst_ip=167772161
	assert_success
	# 167772161 is 0x0a000001 as the __u32 holds it (host order)
	run bpftool -j map lookup pinned "$TYV" key 2 0 0 0
	[ "$(jq -r '.value[40:44] | join(" ")' <<<"$output")" = "0x01 0x00 0x00 0x0a" ] || fail "$output"
	run --separate-stderr mapsh pinned "$TYV" update 2 dst_ip=10.0.0.9
	assert_success
	run --separate-stderr mapsh pinned "$TYV" lookup 2 -j
	[ "$(jq -r '.value.dst_ip' <<<"$output")" = "10.0.0.9" ] || fail "$output"
}

@test "info says for each field which format applies and why" {
	load_ty
	run --separate-stderr mapsh pinned "$TYV" info --as value.stomach=mac
	assert_success
	assert_line "formats	value.src6 ipv6 (known type), value.eth mac (known type), value.h_source mac (guess), value.stomach mac (option), value.dst_ip ipv4 (guess)"
	run --separate-stderr mapsh -j --as num_ip=hex pinned "$TYV" info
	assert_success
	[ "$(jq -c '[.formats[] | select(.field == "value.num_ip")][0]' <<<"$output")" = \
		'{"field":"value.num_ip","format":"hex","why":"option"}' ] || fail "$output"
}

@test "a tag that cannot apply warns and info shows it ignored, with the reason" {
	bpftool prog loadall "$TOP/build/bad_tags.bpf.o" "$BPFFS/progs" pinmaps "$BPFFS/bt" 2>/dev/null || true
	[ -e "$BPFFS/bt/bad_tags" ] || fail "bad_tags was not pinned"
	run --separate-stderr mapsh -j pinned "$BPFFS/bt/bad_tags" info
	assert_success
	[ "${#stderr_lines[@]}" -eq 2 ] || fail "$stderr"
	[ "$(jq -c '[.formats[] | select(.field == "value.port")][0] | [.format, .why, .reason]' <<<"$output")" = \
		'["none","ignored","mapsh:port needs a 2-byte integer, not a 4-byte __u32: shown as its type says"]' ] || fail "$output"
	[ "$(jq -r '[.formats[] | select(.field == "value.okport")][0].why' <<<"$output")" = tag ] || fail "$output"
	[ "$(jq -r '[.formats[] | select(.field == "value.when")][0].why' <<<"$output")" = ignored ] || fail "$output"
}

@test "--as key=ipv4: a __u32 key shows as an address and lookup takes one" {
	load_ty
	# 1107316234 is 10.78.0.66 in the bytes of a little-endian __u32
	run --separate-stderr mapsh pinned "$TYV" update 1107316234 plain=7
	assert_success
	run --separate-stderr mapsh pinned "$TYV" lookup 10.78.0.66
	assert_failure
	run --separate-stderr mapsh --as key=ipv4 pinned "$TYV" lookup 10.78.0.66 -j
	assert_success
	[ "$(jq -r '.key' <<<"$output")" = "10.78.0.66" ] || fail "$output"
	[ "$(jq -r '.value.plain' <<<"$output")" = 7 ] || fail "$output"
	run --separate-stderr mapsh pinned "$TYV" dump --as key=ipv4 --as plain=hex
	assert_success
	[[ "${lines[0]}" == "10.78.0.66	"*"	0x7" ]] || fail "$output"
	run --separate-stderr mapsh pinned "$TYV" dump --as key=ipv4 where key == 10.78.0.66
	assert_success
	[ "${#lines[@]}" -eq 1 ] || fail "$output"
	run --separate-stderr mapsh --as key=ipv4 pinned "$TYV" update 10.0.0.1 plain=1
	assert_success
	run bpftool -j map lookup pinned "$TYV" key 10 0 0 1
	assert_success
}

@test "--as refuses an unknown format and a format of the wrong size with one line" {
	load_ty
	run --separate-stderr mapsh --as key=ipv5 pinned "$TYV" dump
	assert_failure 2
	[ "$stderr" = "mapsh: --as key=ipv5: no format 'ipv5' (the formats: none, ipv4, ipv6, mac, port, be, ifindex, ktime, ipproto, tcpflags, hex, counter, log2hist, linhist or log2)" ]
	run --separate-stderr mapsh --as num_ip=ipv6 pinned "$TYV" dump
	assert_failure 1
	[ "$stderr" = "mapsh: ty_vals: --as num_ip=ipv6: ipv6 needs 16 bytes, not the 4 bytes of __u32 (the formats: none, ipv4, ipv6, mac, port, be, ifindex, ktime, ipproto, tcpflags, hex, counter, log2hist, linhist or log2)" ]
	run --separate-stderr mapsh --as value.plain=port pinned "$TYV" dump
	assert_failure 1
	[[ "$stderr" == "mapsh: ty_vals: --as value.plain=port: port needs a 2-byte integer, not a 4-byte __u32 "* ]] || fail "$stderr"
	run --separate-stderr mapsh --as nosuch=mac pinned "$TYV" dump
	assert_failure 1
	[ "$stderr" = "mapsh: ty_vals: --as nosuch=mac: no such field in the key (__u32) or the value (struct ty_val)" ]
	run --separate-stderr mapsh --as keyipv4 pinned "$TYV" dump
	assert_failure 2
}

@test "--btf types a map made without BTF: written and read typed, bytes as bpftool sees them" {
	mk_nobtf nobtf 4 48
	run --separate-stderr mapsh pinned "$BPFFS/nobtf" dump
	[ -z "$output" ]
	local T=(--btf "$OBJ" --key-type __u32 $VT 'struct ty_val')
	run --separate-stderr mapsh "${T[@]}" pinned "$BPFFS/nobtf" update 7 src6=2001:db8::5 \
		eth=aa:bb:cc:00:00:01 h_source=00:00:00:00:00:02 stomach=[9,8,7,6,5,4] num_ip=12 dst_ip=10.78.0.66 plain=1
	assert_success
	run bpftool -j map lookup pinned "$BPFFS/nobtf" key 7 0 0 0
	[ "$(jq -r '.value | .[0:4] + .[16:19] + .[36:37] + .[40:44] | join(" ")' <<<"$output")" = \
		"0x20 0x01 0x0d 0xb8 0xaa 0xbb 0xcc 0x0c 0x0a 0x4e 0x00 0x42" ] || fail "$output"
	run --separate-stderr mapsh -j "${T[@]}" pinned "$BPFFS/nobtf" dump
	assert_success
	[ "$(jq -c '.[0].value | [.src6, .eth, .num_ip, .dst_ip, .stomach[0]]' <<<"$output")" = \
		'["2001:db8::5","aa:bb:cc:00:00:01",12,"10.78.0.66",9]' ] || fail "$output"
	run --separate-stderr mapsh "${T[@]}" pinned "$BPFFS/nobtf" dump where dst_ip == 10.78.0.66
	[ "${#lines[@]}" -eq 1 ] || fail "$output"
	run --separate-stderr mapsh "${T[@]}" pinned "$BPFFS/nobtf" info
	assert_line "types_from	--btf"
	assert_line "value	struct ty_val"
	# a type of the wrong size, a missing type, types without --btf
	run --separate-stderr mapsh --btf "$OBJ" --key-type 'struct flow_key' pinned "$BPFFS/nobtf" dump
	assert_failure 1
	[ "$stderr" = "mapsh: $KN: --key-type struct flow_key is 12 bytes, the map's key is 4" ] || fail "$stderr"
	run --separate-stderr mapsh --btf "$OBJ" --key-type 'struct nope' pinned "$BPFFS/nobtf" dump
	assert_failure 1
	run --separate-stderr mapsh --key-type __u32 pinned "$BPFFS/nobtf" dump
	assert_failure 2
}

@test "--btf /sys/kernel/btf/vmlinux: struct in6_addr keys as IPv6, struct flow_key from an object" {
	[ -r /sys/kernel/btf/vmlinux ] || skip "no kernel BTF"
	mk_nobtf v6 16 8
	local T=(--btf /sys/kernel/btf/vmlinux --key-type 'struct in6_addr' $VT __u64)
	run --separate-stderr mapsh "${T[@]}" pinned "$BPFFS/v6" update 2001:db8::1 42
	assert_success
	run bpftool -j map dump pinned "$BPFFS/v6"
	[ "$(jq -r '.[0].key | .[0:2] + .[15:16] | join(" ")' <<<"$output")" = "0x20 0x01 0x01" ] || fail "$output"
	run --separate-stderr mapsh "${T[@]}" pinned "$BPFFS/v6" lookup 2001:db8::1
	assert_success
	[ "$output" = "2001:db8::1	42" ] || fail "$output"
	mk_nobtf fl 12 8
	run --separate-stderr mapsh --btf "$OBJ" --key-type 'struct flow_key' $VT __u64 --as src=ipv4 --as dst=ipv4 \
		pinned "$BPFFS/fl" update key src=10.0.0.1 dst=10.0.0.2 sport=80 proto=6 value 9
	assert_success
	run --separate-stderr mapsh --btf "$OBJ" --key-type 'struct flow_key' $VT __u64 --as key.src=ipv4 -j pinned "$BPFFS/fl" dump
	[ "$(jq -c '.[0] | [.key.src, .key.dst, .key.sport, .value]' <<<"$output")" = '["10.0.0.1",33554442,80,9]' ] || fail "$output"
}

# A split BTF on the running kernel's, as /sys/kernel/btf/<module> is
# (tests/tools/split_btf.c), at $SPLIT: struct modtest_val { struct
# in6_addr addr; __u64 packets; __u16 port; }, 32 bytes, whose addr is
# vmlinux's in6_addr by id.
mk_split() {
	[ -r /sys/kernel/btf/vmlinux ] || skip "no kernel BTF"
	SPLIT="$BATS_TEST_TMPDIR/modtest.btf"
	"$TOP/build/split_btf" "$SPLIT" || fail "split_btf"
}

@test "--btf a module's BTF (split on vmlinux's): raw bytes read typed, set and update write the right bytes" {
	mk_split
	# split indeed: not BTF on its own, BTF on vmlinux's
	run bpftool btf dump file "$SPLIT"
	assert_failure
	run bpftool -B /sys/kernel/btf/vmlinux btf dump file "$SPLIT"
	assert_output --partial "STRUCT 'modtest_val' size=32 vlen=3"
	mk_nobtf mod 4 32
	bpftool map update pinned "$BPFFS/mod" key 1 0 0 0 value hex \
		20 01 0d b8 00 00 00 00 00 00 00 00 00 00 00 07 2a 00 00 00 00 00 00 00 bb 01 00 00 00 00 00 00 ||
		fail "map update"
	local T=(--btf "$SPLIT" --key-type __u32 $VT 'struct modtest_val')
	run --separate-stderr mapsh "${T[@]}" pinned "$BPFFS/mod" dump
	assert_success
	[ -z "$stderr" ] || fail "$stderr"
	[ "$output" = "1	2001:db8::7	42	443" ] || fail "$output"
	run --separate-stderr mapsh -j "${T[@]}" pinned "$BPFFS/mod" dump
	assert_success
	[ "$(jq -c '.[0] | [.key, .value.addr, .value.packets, .value.port]' <<<"$output")" = \
		'[1,"2001:db8::7",42,443]' ] || fail "$output"
	# set changes one field; update writes a whole entry, addr from IPv6 text
	run --separate-stderr mapsh "${T[@]}" pinned "$BPFFS/mod" set 1 packets=43
	assert_success
	run --separate-stderr mapsh "${T[@]}" pinned "$BPFFS/mod" update 2 addr=fe80::9 packets=5 port=8080
	assert_success
	run bpftool -j map dump pinned "$BPFFS/mod"
	[ "$(jq -r 'sort_by(.key[0]) | map(.key[0] + " " + (.value | join(" "))) | .[]' <<<"$output")" = \
		"0x01 0x20 0x01 0x0d 0xb8 0x00 0x00 0x00 0x00 0x00 0x00 0x00 0x00 0x00 0x00 0x00 0x07 0x2b 0x00 0x00 0x00 0x00 0x00 0x00 0x00 0xbb 0x01 0x00 0x00 0x00 0x00 0x00 0x00
0x02 0xfe 0x80 0x00 0x00 0x00 0x00 0x00 0x00 0x00 0x00 0x00 0x00 0x00 0x00 0x00 0x09 0x05 0x00 0x00 0x00 0x00 0x00 0x00 0x00 0x90 0x1f 0x00 0x00 0x00 0x00 0x00 0x00" ] ||
		fail "$output"
	run --separate-stderr mapsh "${T[@]}" pinned "$BPFFS/mod" dump where addr == fe80::9
	[ "$output" = "2	fe80::9	5	8080" ] || fail "$output"
	# the module's typedef names the same type; info shows it as C
	run --separate-stderr mapsh --btf "$SPLIT" --key-type __u32 $VT modtest_val_t pinned "$BPFFS/mod" info
	assert_success
	assert_line "types_from	--btf"
	assert_line "value	modtest_val_t"
	assert_line "formats	value.addr ipv6 (known type)"
	assert_line "	struct in6_addr addr;"
	# the module's own struct ethhdr (8 bytes), not vmlinux's (14)
	mk_nobtf eth 4 8
	run --separate-stderr mapsh --btf "$SPLIT" --key-type __u32 $VT 'struct ethhdr' pinned "$BPFFS/eth" update 1 cookie=7
	assert_success
	run bpftool -j map lookup pinned "$BPFFS/eth" key 1 0 0 0
	[ "$(jq -r '.value | join(" ")' <<<"$output")" = "0x07 0x00 0x00 0x00 0x00 0x00 0x00 0x00" ] || fail "$output"
	run --separate-stderr mapsh --btf /sys/kernel/btf/vmlinux --key-type __u32 $VT 'struct ethhdr' pinned "$BPFFS/eth" dump
	assert_failure 1
	[ "$stderr" = "mapsh: $KN: --value-type struct ethhdr is 14 bytes, the map's value is 8" ] || fail "$stderr"
}

@test "--btf a module's BTF: a missing type, a file that is not BTF, a split file without the kernel's BTF: one line each" {
	mk_split
	mk_nobtf mod 4 32
	run --separate-stderr mapsh --btf "$SPLIT" --key-type __u32 $VT 'struct nope' pinned "$BPFFS/mod" dump
	assert_failure 1
	[ "$stderr" = "mapsh: $KN: --value-type struct nope: no such type in $SPLIT or the kernel's BTF under it" ] ||
		fail "$stderr"
	# a vmlinux type through the module's file is found, and sized
	run --separate-stderr mapsh --btf "$SPLIT" --key-type __u32 $VT 'struct in6_addr' pinned "$BPFFS/mod" dump
	assert_failure 1
	[ "$stderr" = "mapsh: $KN: --value-type struct in6_addr is 16 bytes, the map's value is 32" ] || fail "$stderr"
	run --separate-stderr mapsh --btf "$SPLIT" pinned "$BPFFS/mod" dump
	assert_failure 2
	[ "$stderr" = "mapsh: $KN: --btf $SPLIT needs --key-type TYPE or --value-type TYPE" ] || fail "$stderr"
	# an ELF without .BTF was "No such file or directory" (libbpf's ENOENT)
	run --separate-stderr mapsh --btf "$TOP/build/pktgen" --key-type __u32 pinned "$BPFFS/mod" dump
	assert_failure 1
	[ "$stderr" = "mapsh: $KN: --btf $TOP/build/pktgen: no BTF read: an ELF object without a .BTF section" ] ||
		fail "$stderr"
	echo "not btf" >"$BATS_TEST_TMPDIR/junk"
	run --separate-stderr mapsh --btf "$BATS_TEST_TMPDIR/junk" --key-type __u32 pinned "$BPFFS/mod" dump
	assert_failure 1
	[ "$stderr" = "mapsh: $KN: --btf $BATS_TEST_TMPDIR/junk: no BTF read: neither an ELF object nor raw BTF" ] ||
		fail "$stderr"
	head -c 40 "$SPLIT" >"$BATS_TEST_TMPDIR/cut.btf"
	run --separate-stderr mapsh --btf "$BATS_TEST_TMPDIR/cut.btf" --key-type __u32 pinned "$BPFFS/mod" dump
	assert_failure 1
	[ "$stderr" = "mapsh: $KN: --btf $BATS_TEST_TMPDIR/cut.btf: no BTF read: not valid BTF, alone or as a module's on the kernel's BTF" ] ||
		fail "$stderr"
	# the split file where the kernel's BTF cannot be read: a mount
	# namespace with an empty /sys/kernel/btf (libbpf's other places for
	# vmlinux must be empty too)
	local r
	r=$(uname -r)
	for f in /boot/vmlinux-"$r" /lib/modules/"$r"/vmlinux-"$r" /lib/modules/"$r"/build/vmlinux \
		/usr/lib/modules/"$r"/kernel/vmlinux /usr/lib/debug/boot/vmlinux-"$r" \
		/usr/lib/debug/boot/vmlinux-"$r".debug /usr/lib/debug/lib/modules/"$r"/vmlinux; do
		[ ! -e "$f" ] || skip "the kernel's BTF is also at $f"
	done
	unshare -m --propagation private true 2>/dev/null || skip "no mount namespaces here"
	run --separate-stderr unshare -m --propagation private bash -c \
		'mount -t tmpfs none /sys/kernel/btf && exec "$0" "$@"' "$MAPSH" \
		--btf "$SPLIT" --key-type __u32 $VT 'struct modtest_val' pinned "$BPFFS/mod" dump
	assert_failure 1
	[ "$stderr" = "mapsh: $KN: --btf $SPLIT: no BTF read: not valid BTF alone; a module's is read on the kernel's BTF, and /sys/kernel/btf/vmlinux is not there" ] ||
		fail "$stderr"
}

# The first loaded module with BTF of its own, and a struct of it (not of
# vmlinux) of 1 to 512 bytes whose first member has a name: MOD, MST, MSZ,
# MFIRST. Skips when no module is loaded.
real_module_struct() {
	local f j
	[ -r /sys/kernel/btf/vmlinux ] || skip "no kernel BTF"
	for f in /sys/kernel/btf/*; do
		[ "${f##*/}" != vmlinux ] || continue
		j=$(bpftool -j -B /sys/kernel/btf/vmlinux btf dump file "$f" 2>/dev/null | jq -c '
			[.types[] | select(.kind == "STRUCT" and .name != "(anon)" and
				.size > 0 and .size <= 512 and .vlen > 0 and
				.members[0].name != "(anon)")][0] // empty') || continue
		[ -n "$j" ] || continue
		MOD=$f
		MST=$(jq -r .name <<<"$j")
		MSZ=$(jq -r .size <<<"$j")
		MFIRST=$(jq -r '.members[0].name' <<<"$j")
		return 0
	done
	skip "no kernel module with BTF is loaded (only /sys/kernel/btf/vmlinux): the split file of tests/tools/split_btf.c stands in for one above"
}

@test "--btf /sys/kernel/btf/MODULE, when a module is loaded: a struct of the module types a map" {
	real_module_struct
	mk_nobtf rm 4 "$MSZ"
	# zeros, written by bpftool: 4 bytes of key, MSZ of value
	bpftool map update pinned "$BPFFS/rm" key 1 0 0 0 value $(printf '0 %.0s' $(seq "$MSZ")) ||
		fail "map update"
	local T=(--btf "$MOD" --key-type __u32 $VT "struct $MST")
	run --separate-stderr mapsh -j "${T[@]}" pinned "$BPFFS/rm" dump
	assert_success
	[ "$(jq -c '.[0] | [.key, (.value | type), (.value | has("'"$MFIRST"'"))]' <<<"$output")" = '[1,"object",true]' ] ||
		fail "$MOD struct $MST: $output"
	run --separate-stderr mapsh "${T[@]}" pinned "$BPFFS/rm" info
	assert_success
	assert_line "value	struct $MST"
	assert_line "types_from	--btf"
}

@test "a types file types a foreign map once: by pin path, wildcards, btf relative to the file" {
	load_ty
	mk_nobtf fl 12 8
	mkdir -p "$BATS_TEST_TMPDIR/cfg/mapsh"
	cp "$OBJ" "$BATS_TEST_TMPDIR/cfg/mapsh/ty.o"
	cat >"$BATS_TEST_TMPDIR/cfg/mapsh/types" <<-EOT
	# the flow map of this pin directory
	$BPFFS/fl btf ty.o
	$BPFFS/fl key-type struct flow_key
	$BPFFS/fl value-type __u64
	$BPFFS/fl as src=ipv4
	$BPFFS/m/* as key=ipv4
	ty_vals as stomach=mac
	EOT
	export XDG_CONFIG_HOME="$BATS_TEST_TMPDIR/cfg"
	run --separate-stderr mapsh pinned "$BPFFS/fl" update key src=10.1.1.1 dst=5 sport=1 proto=17 value 3
	assert_success
	[ -z "$stderr" ] || fail "$stderr"
	run --separate-stderr mapsh -j pinned "$BPFFS/fl" dump
	[ "$(jq -c '.[0] | [.key.src, .key.dst, .value]' <<<"$output")" = '["10.1.1.1",5,3]' ] || fail "$output"
	run --separate-stderr mapsh pinned "$TYV" update 10.78.0.66 stomach=01:02:03:04:05:06
	assert_success
	run --separate-stderr mapsh -j pinned "$TYV" dump
	[ "$(jq -c '.[0] | [.key, .value.stomach]' <<<"$output")" = '["10.78.0.66","01:02:03:04:05:06"]' ] || fail "$output"
	# the command line wins over the file
	run --separate-stderr mapsh -j --as key=none pinned "$TYV" dump
	[ "$(jq -c '.[0].key' <<<"$output")" = 1107316234 ] || fail "$output"
	# info says where the format came from
	run --separate-stderr mapsh pinned "$TYV" info
	[[ "$output" == *"value.stomach mac (option)"* ]] || fail "$output"
	# a bad line is one message naming the file and line
	echo "ty_vals as stomach=wat" >>"$BATS_TEST_TMPDIR/cfg/mapsh/types"
	run --separate-stderr mapsh pinned "$TYV" dump
	assert_failure 2
	[[ "$stderr" == "mapsh: $BATS_TEST_TMPDIR/cfg/mapsh/types:8 stomach=wat: no format 'wat' "* ]] || fail "$stderr"
}

@test "info's C declaration keeps unnamed bitfields and function pointer prototypes" {
	mk_nobtf dc 4 24
	run --separate-stderr mapsh --btf "$OBJ" --key-type __u32 $VT 'struct ty_decl' pinned "$BPFFS/dc" info
	assert_success
	assert_line "	__u32 a : 3;"
	assert_line "	__u32 : 5;"
	assert_line "	__u32 b : 4;"
	assert_line "	__u32 : 0;"
	assert_line "	int (*cb)(int, const char *);"
	assert_line "	void (*v)(void);"
	# the printed declaration has the map's layout: a C compiler agrees
	command -v cc >/dev/null || skip "no C compiler"
	{
		echo '#include <linux/types.h>'
		echo '#include <stddef.h>'
		sed -n '/^struct ty_decl {/,/^};/p' <<<"$output"
		echo '_Static_assert(sizeof(struct ty_decl) == 24, "size");'
		echo '_Static_assert(offsetof(struct ty_decl, cb) == 8, "cb");'
	} >"$BATS_TEST_TMPDIR/d.c"
	cc -fsyntax-only "$BATS_TEST_TMPDIR/d.c" || fail "$(cat "$BATS_TEST_TMPDIR/d.c")"
}

@test "--as on a map without BTF: a 4-byte key as ipv4, a 16-byte value as ipv6, other sizes refused" {
	mk_nobtf r4 4 16
	run --separate-stderr mapsh --as key=ipv4 --as value=ipv6 pinned "$BPFFS/r4" update 10.78.0.66 2001:db8::7
	assert_success
	run bpftool -j map dump pinned "$BPFFS/r4"
	[ "$(jq -r '.[0].key | join(" ")' <<<"$output")" = "0x0a 0x4e 0x00 0x42" ] || fail "$output"
	[ "$(jq -r '.[0].value[15]' <<<"$output")" = "0x07" ] || fail "$output"
	run --separate-stderr mapsh --as key=ipv4 --as value=ipv6 pinned "$BPFFS/r4" lookup 10.78.0.66
	assert_success
	[ "$output" = "10.78.0.66	2001:db8::7" ] || fail "$output"
	run --separate-stderr mapsh --as key=ipv4 pinned "$BPFFS/r4" dump where key == 10.78.0.66
	[ "${#lines[@]}" -eq 1 ] || fail "$output"
	run --separate-stderr mapsh --as key=mac pinned "$BPFFS/r4" dump
	assert_failure 1
	[[ "$stderr" == "mapsh: $KN: --as key=mac: no such field in the key (raw) or the value (raw); a map without BTF takes ipv4, mac or ipv6 "* ]] || fail "$stderr"
}
