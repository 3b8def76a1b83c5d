# mapsh — top-level build. Outputs go to build/ (never committed).
# `make V=1` shows the commands.

PREFIX  ?= /usr/local
DESTDIR ?=
BINDIR  := $(PREFIX)/bin
MANDIR  := $(PREFIX)/share/man/man8

CC      ?= cc
CLANG   ?= clang
BPFTOOL ?= bpftool
PKG_CONFIG ?= pkg-config

BUILD   := build
ARCH_INC := /usr/include/$(shell $(CC) -dumpmachine 2>/dev/null)

PKGS    := libbpf libxdp libedit jansson
PKG_CFLAGS := $(shell $(PKG_CONFIG) --cflags $(PKGS) 2>/dev/null)
PKG_LIBS   := $(shell $(PKG_CONFIG) --libs $(PKGS) 2>/dev/null)

CFLAGS  ?= -O2 -g
CFLAGS  += -Wall -Wextra -Wno-unused-parameter -std=gnu11 -D_GNU_SOURCE \
	   -I$(BUILD)/bpf -Icli -Ibpf $(PKG_CFLAGS)
LDLIBS  += $(PKG_LIBS) -lelf -lz
BPF_CFLAGS := -g -O2 -target bpf -Wall -Wextra -I$(ARCH_INC) -Ibpf

ifeq ($(V),1)
Q :=
msg :=
else
Q := @
msg = @printf '  %-8s %s\n' "$(1)" "$(2)";
endif

BPF_SRCS  := $(wildcard bpf/*.bpf.c)
BPF_OBJS  := $(patsubst bpf/%.bpf.c,$(BUILD)/bpf/%.bpf.o,$(BPF_SRCS))
BPF_SKELS := $(patsubst bpf/%.bpf.c,$(BUILD)/bpf/%.skel.h,$(BPF_SRCS))

CLI_SRCS  := $(wildcard cli/*.c)
CLI_OBJS  := $(patsubst cli/%.c,$(BUILD)/cli/%.o,$(CLI_SRCS))
LIB_OBJS  := $(filter-out $(BUILD)/cli/main.o,$(CLI_OBJS))

UNIT_SRCS := $(wildcard tests/unit/test_*.c)
UNIT_BINS := $(patsubst tests/unit/%.c,$(BUILD)/unit/%,$(UNIT_SRCS))

FUZZ_SRCS := $(wildcard tests/fuzz/fuzz_*.c)
FUZZ_BINS := $(patsubst tests/fuzz/%.c,$(BUILD)/fuzz/%,$(FUZZ_SRCS))
FUZZ_SECONDS ?= 60

.DELETE_ON_ERROR:
.PHONY: all clean test unit bats fuzz demo demo-clean deps install uninstall bench

all: mapsh

mapsh: $(CLI_OBJS)
	$(call msg,LINK,$@)
	$(Q)$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(BUILD)/bpf/%.bpf.o: bpf/%.bpf.c | $(BUILD)/bpf
	$(call msg,BPF,$@)
	$(Q)$(CLANG) $(BPF_CFLAGS) -MMD -MP -c $< -o $@

$(BUILD)/bpf/%.skel.h: $(BUILD)/bpf/%.bpf.o
	$(call msg,SKEL,$@)
	$(Q)$(BPFTOOL) gen skeleton $< name $* > $@

# Every cli object may include a skeleton, so they all wait for them.
$(BUILD)/cli/%.o: cli/%.c $(BPF_SKELS) | $(BUILD)/cli
	$(call msg,CC,$@)
	$(Q)$(CC) $(CFLAGS) -MMD -MP -c $< -o $@

$(BUILD)/unit/%: tests/unit/%.c $(LIB_OBJS) $(BPF_OBJS) | $(BUILD)/unit
	$(call msg,UNIT,$@)
	$(Q)$(CC) $(CFLAGS) -DBPF_OBJ_DIR='"$(CURDIR)/$(BUILD)/bpf"' -o $@ $< $(LIB_OBJS) $(LDLIBS) -lcmocka

# Fuzz targets: the parsers rebuilt with clang, libFuzzer and ASan/UBSan.
FUZZ_CFLAGS := -g -O1 -fsanitize=fuzzer,address,undefined -std=gnu11 -D_GNU_SOURCE \
	-I$(BUILD)/bpf -Icli -Ibpf $(PKG_CFLAGS)
$(BUILD)/fuzz/%: tests/fuzz/%.c $(filter-out cli/main.c,$(CLI_SRCS)) $(BPF_SKELS) | $(BUILD)/fuzz
	$(call msg,FUZZ,$@)
	$(Q)$(CLANG) $(FUZZ_CFLAGS) -o $@ $< $(filter-out cli/main.c,$(CLI_SRCS)) $(LDLIBS)

$(BUILD)/bpf $(BUILD)/cli $(BUILD)/unit $(BUILD)/fuzz:
	$(Q)mkdir -p $@

unit: $(UNIT_BINS)
	$(Q)for t in $(UNIT_BINS); do $$t || exit 1; done

fuzz: $(FUZZ_BINS)
	$(Q)for f in $(FUZZ_BINS); do n=$$(basename $$f); \
		mkdir -p $(BUILD)/fuzz/corpus-$$n; \
		$$f -max_total_time=$(FUZZ_SECONDS) -print_final_stats=1 \
		    $(BUILD)/fuzz/corpus-$$n tests/fuzz/corpus/$$n || exit 1; done

clean:
	$(call msg,CLEAN,)
	$(Q)rm -rf $(BUILD) mapsh

-include $(wildcard $(BUILD)/cli/*.d $(BUILD)/bpf/*.d)
