# mapsh — top-level build. Outputs go to build/ (never committed).
# `make V=1` shows the commands.

PREFIX  ?= /usr/local
DESTDIR ?=
BINDIR  := $(PREFIX)/bin
MANDIR  := $(PREFIX)/share/man/man8
# Shell completions go where each shell looks for packaged ones.
BASHCOMPDIR ?= $(or $(shell $(PKG_CONFIG) --variable=completionsdir bash-completion 2>/dev/null),/usr/share/bash-completion/completions)
ZSHCOMPDIR  ?= /usr/share/zsh/vendor-completions
FISHCOMPDIR ?= /usr/share/fish/vendor_completions.d

CC      ?= cc
CLANG   ?= clang
BPFTOOL ?= bpftool
PKG_CONFIG ?= pkg-config

BUILD   := build
# SANITIZE=1: mapsh and the unit tests built with ASan and UBSan, their
# objects and binaries in build/san (./mapsh stays the normal build);
# `make test SANITIZE=1` runs the tests on build/san/mapsh.
# SANITIZE=thread: the same with TSan in build/tsan, for the threads of
# the split reader (`make test-tsan`).
ifeq ($(SANITIZE),1)
OBJ     := $(BUILD)/san
MAPSH_BIN := $(OBJ)/mapsh
SAN_FLAGS := -O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer
else ifeq ($(SANITIZE),thread)
OBJ     := $(BUILD)/tsan
MAPSH_BIN := $(OBJ)/mapsh
SAN_FLAGS := -O1 -g -fsanitize=thread -fno-omit-frame-pointer
else
OBJ     := $(BUILD)
MAPSH_BIN := mapsh
SAN_FLAGS :=
endif
ARCH_INC := /usr/include/$(shell $(CC) -dumpmachine 2>/dev/null)

PKGS    := libbpf libxdp libedit jansson yajl yaml-0.1
PKG_CFLAGS := $(shell $(PKG_CONFIG) --cflags $(PKGS) 2>/dev/null)
PKG_LIBS   := $(shell $(PKG_CONFIG) --libs $(PKGS) 2>/dev/null)
# libmicrohttpd (export --listen): its header only; the library is opened
# when the server starts (cli/verbs/export/mhd.c), as linking it would
# bring gnutls and nine more shared libraries into every command's start.
PKG_CFLAGS += $(shell $(PKG_CONFIG) --cflags libmicrohttpd 2>/dev/null)

# CFLAGS is the user's (make CFLAGS=-O0 keeps what the build needs).
CFLAGS  ?= -O2 -g
override CFLAGS += $(SAN_FLAGS) -Wall -Wextra -Wno-unused-parameter -std=gnu11 -D_GNU_SOURCE \
	   -I$(BUILD)/bpf -Icli -Ibpf $(PKG_CFLAGS)
LDLIBS  += $(PKG_LIBS) -lcrypt -lelf -lz
# mapsh itself links its libraries statically unless DYNAMIC=1: a one-shot
# command then maps and relocates one binary instead of a dozen shared
# libraries, which is about a third of a typed lookup's run time here.
# The sanitizers' runtimes want the shared libraries.
ifneq ($(filter 1 thread,$(DYNAMIC) $(SANITIZE)),)
MAPSH_LIBS := $(LDLIBS)
else
# Debian ships yajl's static library as libyajl_s.a.
MAPSH_LIBS := -Wl,-Bstatic $(patsubst -lyajl,-lyajl_s,$(shell $(PKG_CONFIG) --static --libs $(PKGS) 2>/dev/null)) \
	-lmd -lcrypt -Wl,-Bdynamic -ldl -lpthread
endif
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

CLI_SRCS  := $(wildcard cli/*.c cli/*/*.c cli/*/*/*.c)
CLI_OBJS  := $(patsubst cli/%.c,$(OBJ)/cli/%.o,$(CLI_SRCS))

UNIT_SRCS := $(wildcard tests/unit/test_*.c)
UNIT_BINS := $(patsubst tests/unit/%.c,$(OBJ)/unit/%,$(UNIT_SRCS))

FUZZ_SRCS := $(wildcard tests/fuzz/fuzz_*.c)
FUZZ_BINS := $(patsubst tests/fuzz/%.c,$(BUILD)/fuzz/%,$(FUZZ_SRCS))
FUZZ_SECONDS ?= 60

.DELETE_ON_ERROR:
# Keep the BPF objects: the unit tests read their BTF.
.SECONDARY:

comma := ,

.PHONY: test-prereqs test-tsan mutate all clean test check unit bats fuzz demo demo-clean deps install uninstall bench man

all: $(MAPSH_BIN)

$(MAPSH_BIN): $(CLI_OBJS)
	$(call msg,LINK,$@)
	$(Q)$(CC) $(SAN_FLAGS) $(LDFLAGS) -o $@ $^ $(MAPSH_LIBS)
ifneq ($(filter 1 thread,$(SANITIZE)),)
mapsh: $(MAPSH_BIN)
endif

$(BUILD)/bpf/%.bpf.o: bpf/%.bpf.c | $(BUILD)/bpf
	$(call msg,BPF,$@)
	$(Q)$(CLANG) $(BPF_CFLAGS) -MMD -MP -c $< -o $@

$(BUILD)/bpf/%.skel.h: $(BUILD)/bpf/%.bpf.o
	$(call msg,SKEL,$@)
	@# libbpf notes the libxdp run-config section it does not use; show
	@# bpftool's messages only when it fails.
	$(Q)$(BPFTOOL) gen skeleton $< name $* > $@ 2> $@.log || { cat $@.log; exit 1; }

# Every cli object may include a skeleton, so they all wait for them.
$(OBJ)/cli/%.o: cli/%.c $(BPF_SKELS)
	$(call msg,CC,$@)
	@mkdir -p $(@D)
	$(Q)$(CC) $(CFLAGS) -MMD -MP -c $< -o $@

# The unit tests and fuzz targets share the hand-made BTF of
# tests/unit/btf_fixture.h.
BTF_FIXTURE := tests/unit/btf_fixture.h

# They link only the floors they test: the engine (base/, tval/, query/),
# and for test_qtake the lossless taking of verbs/qtake.c.
ENGINE_SRCS := $(wildcard cli/base/*.c cli/tval/*.c cli/query/*.c)
ENGINE_OBJS := $(patsubst cli/%.c,$(OBJ)/cli/%.o,$(ENGINE_SRCS))
UNIT_OBJS   := $(ENGINE_OBJS) $(OBJ)/cli/verbs/qtake.o
$(OBJ)/unit/%: tests/unit/%.c $(BTF_FIXTURE) $(UNIT_OBJS) $(BPF_OBJS)
	@mkdir -p $(@D)
	$(call msg,UNIT,$@)
	$(Q)$(CC) $(CFLAGS) -DBPF_OBJ_DIR='"$(CURDIR)/$(BUILD)/bpf"' -o $@ $< $(UNIT_OBJS) $(LDLIBS) -lcmocka

# Fuzz targets: the parsers rebuilt with clang, libFuzzer and ASan/UBSan.
# The engine's objects are compiled once (instrumented, without libFuzzer's
# main) and linked into every target.
FUZZ_SAN    := -fsanitize=address,undefined
FUZZ_CFLAGS := -g -O1 $(FUZZ_SAN) -std=gnu11 -D_GNU_SOURCE \
	-I$(BUILD)/bpf -Icli -Ibpf $(PKG_CFLAGS)
FUZZ_OBJS := $(patsubst cli/%.c,$(BUILD)/fuzz/obj/%.o,$(ENGINE_SRCS))
$(BUILD)/fuzz/obj/%.o: cli/%.c $(BPF_SKELS)
	$(call msg,FUZZCC,$@)
	@mkdir -p $(@D)
	$(Q)$(CLANG) $(FUZZ_CFLAGS) -fsanitize=fuzzer-no-link -MMD -MP -c $< -o $@
$(BUILD)/fuzz/%: tests/fuzz/%.c $(BTF_FIXTURE) $(FUZZ_OBJS) | $(BUILD)/fuzz
	$(call msg,FUZZ,$@)
	$(Q)$(CLANG) $(FUZZ_CFLAGS) -fsanitize=fuzzer -o $@ $< $(FUZZ_OBJS) $(LDLIBS)

$(BUILD)/bpf $(BUILD)/cli $(BUILD)/fuzz:
	$(Q)mkdir -p $@

# Debian packages the build, the tests and the demo need; only the missing
# ones are installed.
DEB_PKGS := clang llvm libbpf-dev libxdp-dev libedit-dev libelf-dev zlib1g-dev \
	libjansson-dev libyajl-dev libyaml-dev libcrypt-dev libmicrohttpd-dev prometheus libcmocka-dev pkg-config bpftool xdp-tools iproute2 jq \
	libbsd-dev libmd-dev libncurses-dev \
	bats bats-assert bats-support gcc make valgrind hyperfine time \
	mandoc man-db tmux zsh fish
deps:
	$(Q)missing=$$(for p in $(DEB_PKGS); do \
		dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | grep -q '^install ok installed' || echo $$p; \
	done); \
	if [ -n "$$missing" ]; then \
		echo "installing:" $$missing; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; \
	fi

# Test tools: a packet generator, a plain ring buffer reader, and a foreign
# XDP program to share an interface with.
# Every tests/tools/NAME.bpf.c is built to $(BUILD)/NAME.bpf.o.
TEST_BPF := $(patsubst tests/tools/%.bpf.c,$(BUILD)/%.bpf.o,$(wildcard tests/tools/*.bpf.c))
TEST_TOOLS := $(BUILD)/pktgen $(BUILD)/ringbuf_read $(BUILD)/perf_run $(BUILD)/rt_fill $(TEST_BPF)
$(BUILD)/pktgen: tests/tools/pktgen.c | $(BUILD)/cli
	$(call msg,CC,$@)
	$(Q)$(CC) -O2 -Wall -Wextra -o $@ $<
$(BUILD)/ringbuf_read: tests/tools/ringbuf_read.c | $(BUILD)/cli
	$(call msg,CC,$@)
	$(Q)$(CC) -O2 -Wall -Wextra -Wno-unused-parameter -o $@ $< $(PKG_LIBS) -lelf -lz
$(BUILD)/%.bpf.o: tests/tools/%.bpf.c bpf/mapsh.h | $(BUILD)/cli
	$(call msg,BPF,$@)
	$(Q)$(CLANG) $(BPF_CFLAGS) -c $< -o $@
# Random bytes into a map and its bytes out (tests/roundtrip.bats).
$(BUILD)/rt_fill: tests/tools/rt_fill.c tests/bpf_raw.h | $(BUILD)/cli
	$(call msg,CC,$@)
	$(Q)$(CC) -O2 -Wall -Wextra -o $@ $<
# A program writing to a perf event array, run by perf_run (tests/stream.bats).
$(BUILD)/perf_run: tests/tools/perf_run.c | $(BUILD)/cli
	$(call msg,CC,$@)
	$(Q)$(CC) -O2 -Wall -Wextra -o $@ $< $(PKG_LIBS) -lelf -lz
# Runs a raw tracepoint program once (tests/maptypes.bats).
TEST_TOOLS += $(BUILD)/mt_run
$(BUILD)/mt_run: tests/tools/mt_run.c | $(BUILD)/cli
	$(call msg,CC,$@)
	$(Q)$(CC) -O2 -Wall -Wextra -o $@ $< $(PKG_LIBS) -lelf -lz

# A writer that keeps changing a map (tests/split.bats).
TEST_TOOLS += $(BUILD)/sp_churn
$(BUILD)/sp_churn: tests/tools/sp_churn.c tests/bpf_raw.h | $(BUILD)/cli
	$(call msg,CC,$@)
	$(Q)$(CC) -O2 -Wall -Wextra -o $@ $<

# A split BTF on vmlinux's, as a module's (tests/typing.bats).
TEST_TOOLS += $(BUILD)/split_btf
$(BUILD)/split_btf: tests/tools/split_btf.c | $(BUILD)/cli
	$(call msg,CC,$@)
	$(Q)$(CC) -O2 -Wall -Wextra -o $@ $< $(PKG_LIBS) -lelf -lz

# Real sockets in a sockmap and a sockhash, kept open (tests/maptypes.bats).
TEST_TOOLS += $(BUILD)/sock_put
$(BUILD)/sock_put: tests/tools/sock_put.c tests/bpf_raw.h | $(BUILD)/cli
	$(call msg,CC,$@)
	$(Q)$(CC) -O2 -Wall -Wextra -o $@ $<

# test and demo first install what is missing, then build in a second make
# so pkg-config sees the freshly installed libraries.
BATS_FLAGS ?=
test: deps
	$(Q)$(MAKE) --no-print-directory check

# Everything the bats tests run.
test-prereqs: $(MAPSH_BIN) $(UNIT_BINS) $(TEST_TOOLS) $(FUZZ_BINS)

# Under SANITIZE=1 the tests run build/san/mapsh: an ASan or UBSan report
# ends the run of mapsh with an error (halt_on_error), so the test fails.
# Leaks are not checked there: LeakSanitizer's stop-the-world at exit can
# hang for good when a SIGCONT comes with the SIGTERM that ends a watch
# (timeout(1) sends both); the normal run's valgrind tests check leaks,
# and are skipped here (valgrind cannot run an ASan binary).
SAN_ENV := MAPSH=$(CURDIR)/$(MAPSH_BIN) MAPSH_UNIT_DIR=$(CURDIR)/$(OBJ)/unit \
	MAPSH_SANITIZED=1 ASAN_OPTIONS=detect_leaks=0:verify_asan_link_order=0:exitcode=99 \
	UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1:exitcode=98
check: test-prereqs
	$(Q)$(if $(filter 1,$(SANITIZE)),env $(SAN_ENV)) bats $(BATS_FLAGS) tests/

# The files whose commands run threads (the split reader, read-ahead,
# watch and streams) on build/tsan/mapsh: a data race report ends mapsh
# with an error (halt_on_error), so the test fails.
TSAN_TESTS ?= tests/split.bats tests/batch.bats tests/watch.bats tests/stream.bats
TSAN_ENV := MAPSH=$(CURDIR)/$(BUILD)/tsan/mapsh MAPSH_SANITIZED=1 \
	TSAN_OPTIONS=halt_on_error=1:exitcode=97:second_deadlock_stack=1
test-tsan:
	$(Q)$(MAKE) --no-print-directory SANITIZE=thread $(BUILD)/tsan/mapsh
	$(Q)$(MAKE) --no-print-directory $(TEST_TOOLS)
	$(Q)env $(TSAN_ENV) bats $(BATS_FLAGS) $(TSAN_TESTS)

# Mutation testing (tests/mutate/run.sh): every mutant of tests/mutate/*.mut
# applied to a scratch copy and run against its tests; MUTANTS=a,b for some.
mutate: test-prereqs
	$(Q)./tests/mutate/run.sh $(subst $(comma), ,$(MUTANTS))

demo: deps
	$(Q)$(MAKE) --no-print-directory mapsh $(TEST_TOOLS)
	$(Q)./tests/demo.sh

demo-clean:
	$(Q)./tests/demo.sh --clean

install: $(MAPSH_BIN)
	install -D -m 0755 $(MAPSH_BIN) $(DESTDIR)$(BINDIR)/mapsh
	install -D -m 0644 man/mapsh.8 $(DESTDIR)$(MANDIR)/mapsh.8
	install -D -m 0644 completions/mapsh.bash $(DESTDIR)$(BASHCOMPDIR)/mapsh
	install -D -m 0644 completions/_mapsh $(DESTDIR)$(ZSHCOMPDIR)/_mapsh
	install -D -m 0644 completions/mapsh.fish $(DESTDIR)$(FISHCOMPDIR)/mapsh.fish

uninstall:
	rm -f $(DESTDIR)$(BINDIR)/mapsh $(DESTDIR)$(MANDIR)/mapsh.8 \
	      $(DESTDIR)$(BASHCOMPDIR)/mapsh $(DESTDIR)$(ZSHCOMPDIR)/_mapsh \
	      $(DESTDIR)$(FISHCOMPDIR)/mapsh.fish

# The man page's command reference is generated from the command tables:
# `make man` rewrites the part between the GENERATED markers
# (tests/man.bats fails when it is out of date).
man: $(MAPSH_BIN)
	$(Q)./$(MAPSH_BIN) __synopsis --mdoc > $(BUILD)/mapsh.8.gen
	$(Q)awk -v gen=$(BUILD)/mapsh.8.gen \
		'/^\.\\" BEGIN GENERATED/ { while ((getline l < gen) > 0) print l; skip = 1; next } \
		 /^\.\\" END GENERATED/ { skip = 0; next } !skip' man/mapsh.8 > $(BUILD)/mapsh.8.new
	$(Q)mv $(BUILD)/mapsh.8.new man/mapsh.8
	$(Q)./$(MAPSH_BIN) __types > $(BUILD)/types.md
	$(Q)awk -v gen=$(BUILD)/types.md \
		'/^<!-- BEGIN MAP TYPES/ { print; while ((getline l < gen) > 0) print l; skip = 1; next } \
		 /^<!-- END MAP TYPES/ { skip = 0 } !skip' README.md > $(BUILD)/README.md.new
	$(Q)mv $(BUILD)/README.md.new README.md
	$(Q)mandoc -T lint -W warning man/mapsh.8 || true

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

# Benchmarks (bench/bench.sh): mapsh against bpftool and minimal C readers.
# BENCH_ENTRIES=N shrinks the map, BENCH_QUICK=1 does fewer runs.
BENCH_LIBS  := $(shell $(PKG_CONFIG) --libs libbpf 2>/dev/null)
BENCH_TOOLS := $(addprefix $(BUILD)/bench/,mkmap rawdump minlookup rbconsumer produce batchw bench.bpf.o)
BENCH_TOOLS += $(BUILD)/bench/migrate.bpf.o
BENCH_TOOLS += $(addprefix $(BUILD)/bench/,mkextra split.bpf.o)
$(BUILD)/bench/%.bpf.o: bench/%.bpf.c bpf/mapsh.h | $(BUILD)/bench
	$(call msg,BPF,$@)
	$(Q)$(CLANG) $(BPF_CFLAGS) -c $< -o $@
$(BUILD)/bench/%: bench/%.c bench/flows.h bpf/mapsh.h | $(BUILD)/bench
	$(call msg,CC,$@)
	$(Q)$(CC) -O2 -Wall -Wextra -Wno-unused-parameter -Ibpf -o $@ $< $(BENCH_LIBS)
$(BUILD)/bench:
	$(Q)mkdir -p $@
bench: deps
	$(Q)$(MAKE) --no-print-directory $(if $(V),,-s) mapsh $(BENCH_TOOLS)
	$(Q)./bench/bench.sh

-include $(shell find $(OBJ)/cli $(BUILD)/fuzz/obj -name '*.d' 2>/dev/null) $(wildcard $(BUILD)/bpf/*.d)
