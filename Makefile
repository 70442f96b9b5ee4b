# url-enforcer: one non-recursive Makefile; everything generated goes under build/.
#   make            build/url-enforcer and build/urlctl
#   make test       every test (unit, BPF in kernel, end to end); root for the kernel parts
#   make SAN=1 ...  the same with ASan+UBSan
#   make V=1 ...    show the commands
#   make help       list the targets

BUILD   ?= build
PREFIX  ?= /usr/local
DATADIR ?= $(PREFIX)/share/url-enforcer
DESTDIR ?=
CC      ?= cc
CLANG   ?= clang
BPFTOOL ?= bpftool

PKGS := libbpf libelf libpcre2-8 libmnl libpcap jansson libcap-ng libcrypto libnats
# urlctl web alone speaks HTTP and checks passwords
WEB_PKGS := libmicrohttpd libcrypt

# Debian 12 packages to build and test (make deps installs the missing ones).
DEB_PKGS := build-essential clang llvm pkg-config bpftool libbpf-dev libelf-dev \
	zlib1g-dev libpcre2-dev libmnl-dev libpcap-dev libjansson-dev libcap-ng-dev \
	iproute2 curl nginx-light openssl python3 python3-scapy tcpdump mandoc \
	tshark libndpi-bin libhyperscan-dev socat faketime nftables conntrack wrk \
	libssl-dev libnats-dev nats-server ethtool chromium iputils-ping systemd \
	chromium-driver python3-selenium libmicrohttpd-dev libcrypt-dev xxd whois

ifeq ($(V),1)
Q :=
msg = @true
else
Q := @
msg = @printf '  %-8s %s\n' "$(1)" "$(2)";
endif

VERSION := 0.1.0

CFLAGS_BASE := -std=gnu11 -O2 -g -Wall -Wextra -Werror -D_GNU_SOURCE -DUE_VERSION='"$(VERSION)"' \
	-I. -I$(BUILD) $(shell pkg-config --cflags $(PKGS) $(WEB_PKGS) 2>/dev/null)
LDLIBS := $(shell pkg-config --libs $(PKGS) 2>/dev/null) -lpthread -lm
WEB_LDLIBS := $(shell pkg-config --libs $(WEB_PKGS) 2>/dev/null)
ifeq ($(SAN),1)
SANFLAGS := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
endif
CFLAGS  ?=
CFLAGS  += $(CFLAGS_BASE) $(SANFLAGS)
LDFLAGS += $(SANFLAGS)

# clang -target bpf does not search Debian's multiarch include dir by itself.
BPF_CFLAGS := -g -O2 -target bpf -Wall -Werror -I. \
	-I/usr/include/$(shell $(CC) -dumpmachine 2>/dev/null)

BPF_SRCS      := $(wildcard bpf/*.bpf.c)
BPF_SKELS     := $(patsubst bpf/%.bpf.c,$(BUILD)/bpf/%.skel.h,$(BPF_SRCS))
# Layers, lowest first: common/ (both binaries), policies/, the enforcer's
# sub-folders (a packet's path), the daemon's life cycle in enforcer/.
COMMON_SRCS   := $(wildcard common/*.c)
POLICY_SRCS   := $(wildcard policies/*.c)
ENFORCER_SRCS := $(filter-out enforcer/main.c,$(wildcard enforcer/*.c enforcer/*/*.c))
CTL_SRCS      := $(wildcard ctl/*.c)
WEB_ASSETS    := $(wildcard ctl/web/*.html ctl/web/*.js ctl/web/*.css ctl/web/*.svg)
TEST_SRCS     := $(wildcard tests/unit/*.c) tests/harness.c

obj = $(patsubst %.c,$(BUILD)/obj/%.o,$(1))

COMMON_LIB   := $(BUILD)/libcommon.a
POLICY_LIB   := $(BUILD)/libpolicy.a
ENFORCER_LIB := $(BUILD)/libenforcer.a
DAEMON       := $(BUILD)/url-enforcer
URLCTL       := $(BUILD)/urlctl
UNIT_TESTS   := $(BUILD)/tests/unit_tests
# Helpers the end-to-end scripts run: tests/tools/NAME.c -> build/tests/NAME
TEST_TOOLS   := $(patsubst tests/tools/%.c,$(BUILD)/tests/%,$(wildcard tests/tools/*.c))

.PHONY: all test test-run check-layers deps clean help install uninstall demo fuzz bench-match bench-log \
	bench-fleet bench-report \
	bench-pipeline bench-verdict bench-hold bench-quic
.DEFAULT_GOAL := all

all: $(DAEMON) $(URLCTL)

# Rebuild everything when the flags change (e.g. SAN=1 after a plain build).
FLAGS_STAMP := $(BUILD)/.flags
$(shell mkdir -p $(BUILD) && echo '$(CC) $(CFLAGS) $(LDFLAGS)' > $(FLAGS_STAMP).new && \
	(cmp -s $(FLAGS_STAMP).new $(FLAGS_STAMP) || mv $(FLAGS_STAMP).new $(FLAGS_STAMP)); \
	rm -f $(FLAGS_STAMP).new)

# The installed service lists' folder is compiled into one object; only it
# is rebuilt when PREFIX or DATADIR change.
DATADIR_STAMP := $(BUILD)/.datadir
$(shell echo '$(DATADIR)' > $(DATADIR_STAMP).new && \
	(cmp -s $(DATADIR_STAMP).new $(DATADIR_STAMP) || mv $(DATADIR_STAMP).new $(DATADIR_STAMP)); \
	rm -f $(DATADIR_STAMP).new)
$(BUILD)/obj/policies/services.o: CFLAGS += -DSERVICES_DIR='"$(DATADIR)/services"'
$(BUILD)/obj/policies/services.o: $(DATADIR_STAMP)

# ---- kernel programs: object, then a skeleton that embeds it ----
# Static pattern rules: explicit targets, so they are kept (not intermediate)
# and the empty rules -MP writes for headers cannot shadow them.
$(BPF_SKELS:.skel.h=.bpf.o): $(BUILD)/bpf/%.bpf.o: bpf/%.bpf.c $(wildcard bpf/*.h)
	$(call msg,BPF,$@)
	@mkdir -p $(@D)
	$(Q)$(CLANG) $(BPF_CFLAGS) -c $< -o $@

$(BPF_SKELS): $(BUILD)/bpf/%.skel.h: $(BUILD)/bpf/%.bpf.o
	$(call msg,SKEL,$@)
	$(Q)$(BPFTOOL) gen skeleton $< name $(subst -,_,$*)_bpf > $@.tmp && mv $@.tmp $@

# ---- userspace ----
$(BUILD)/obj/%.o: %.c $(FLAGS_STAMP) | $(BPF_SKELS)
	$(call msg,CC,$@)
	@mkdir -p $(@D)
	$(Q)$(CC) $(CFLAGS) -MMD -MP -c $< -o $@

$(COMMON_LIB): $(call obj,$(COMMON_SRCS))
	$(call msg,AR,$@)
	$(Q)rm -f $@ && ar rcs $@ $^

$(POLICY_LIB): $(call obj,$(POLICY_SRCS))
	$(call msg,AR,$@)
	$(Q)rm -f $@ && ar rcs $@ $^

$(ENFORCER_LIB): $(call obj,$(ENFORCER_SRCS))
	$(call msg,AR,$@)
	$(Q)rm -f $@ && ar rcs $@ $^

$(DAEMON): $(call obj,enforcer/main.c) $(ENFORCER_LIB) $(POLICY_LIB) $(COMMON_LIB)
	$(call msg,LINK,$@)
	$(Q)$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(URLCTL): $(call obj,$(CTL_SRCS)) $(BUILD)/obj/gen/web_assets.o $(POLICY_LIB) $(COMMON_LIB)
	$(call msg,LINK,$@)
	$(Q)$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS) $(WEB_LDLIBS)

# the dashboard's page, script and style, built into urlctl
$(BUILD)/gen/web_assets.c: $(WEB_ASSETS) ctl/web/embed.sh
	$(call msg,EMBED,$@)
	@mkdir -p $(@D)
	$(Q)sh ctl/web/embed.sh $(WEB_ASSETS) > $@.tmp && mv $@.tmp $@

$(BUILD)/obj/gen/web_assets.o: $(BUILD)/gen/web_assets.c $(FLAGS_STAMP)
	$(call msg,CC,$@)
	@mkdir -p $(@D)
	$(Q)$(CC) $(CFLAGS) -c $< -o $@

# ---- tests: functions named test_* are found by grep, no registration ----
$(BUILD)/tests/registry.c: $(TEST_SRCS) tests/gen_registry.sh
	@mkdir -p $(@D)
	$(Q)sh tests/gen_registry.sh $(filter tests/unit/%,$^) > $@.tmp && mv $@.tmp $@

$(BUILD)/obj/registry.o: $(BUILD)/tests/registry.c $(FLAGS_STAMP)
	$(call msg,CC,$@)
	@mkdir -p $(@D)
	$(Q)$(CC) $(CFLAGS) -c $< -o $@

# ctl/bundle_pack.c: urlctl's packer, tested beside common/'s unpacker
$(UNIT_TESTS): $(call obj,$(TEST_SRCS) ctl/bundle_pack.c) $(BUILD)/obj/registry.o $(ENFORCER_LIB) \
		$(POLICY_LIB) $(COMMON_LIB)
	$(call msg,LINK,$@)
	$(Q)$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

# quic_client builds its packets with the unit tests' builders
$(BUILD)/tests/quic_client: $(call obj,tests/unit/pktbuild.c tests/unit/tlsbuild.c tests/unit/quicbuild.c)
$(TEST_TOOLS): $(BUILD)/tests/%: $(BUILD)/obj/tests/tools/%.o $(ENFORCER_LIB) $(POLICY_LIB) $(COMMON_LIB)
	$(call msg,LINK,$@)
	$(Q)$(CC) $(LDFLAGS) -o $@ $(filter %.o,$^) $(filter %.a,$^) $(LDLIBS)
$(BUILD)/tests/fanout_id_zero: $(call obj,tests/unit/fanout_id.c)

# demo and test first install what is missing, then build with the flags
# pkg-config gives once the libraries are there (hence the second make).
demo:
	$(Q)$(MAKE) --no-print-directory deps
	$(Q)$(MAKE) --no-print-directory all
	$(Q)BUILD=$(BUILD) bash examples/demo/demo.sh

test:
	$(Q)$(MAKE) --no-print-directory deps
	$(Q)$(MAKE) --no-print-directory test-run

test-run: check-layers all $(UNIT_TESTS) $(TEST_TOOLS)
	$(Q)BUILD=$(BUILD) bash tests/run.sh

# Every #include points to its own folder or one below (the order is in the script).
check-layers:
	$(Q)python3 tests/include_layers.py

# ---- benchmarks ----
$(BUILD)/bench/gen_pcap: $(call obj,bench/gen_pcap.c tests/unit/pktbuild.c tests/unit/tlsbuild.c)
	$(call msg,LINK,$@)
	@mkdir -p $(@D)
	$(Q)$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(BUILD)/bench/pipeline_bench: $(call obj,bench/pipeline_bench.c) $(ENFORCER_LIB) $(POLICY_LIB) $(COMMON_LIB)
	$(call msg,LINK,$@)
	@mkdir -p $(@D)
	$(Q)$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

# The decision log line written directly against jansson, ns a line.
$(BUILD)/bench/bench_log: $(call obj,bench/bench_log.c tests/unit/log_jansson.c) $(ENFORCER_LIB) $(POLICY_LIB) $(COMMON_LIB)
	$(call msg,LINK,$@)
	@mkdir -p $(@D)
	$(Q)$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(BUILD)/bench/fleet_bench: $(call obj,bench/fleet_bench.c) $(ENFORCER_LIB) $(POLICY_LIB) $(COMMON_LIB)
	$(call msg,LINK,$@)
	@mkdir -p $(@D)
	$(Q)$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

# One gateway's decision stream on a loopback three-node cluster vs the file-only log.
bench-fleet: $(BUILD)/bench/fleet_bench $(BUILD)/tests/fleet_tool
	$(Q)BUILD=$(BUILD) bash bench/fleet.sh

$(BUILD)/bench/report_bench: $(call obj,bench/report_bench.c) $(ENFORCER_LIB) $(POLICY_LIB) $(COMMON_LIB)
	$(call msg,LINK,$@)
	@mkdir -p $(@D)
	$(Q)$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

# urlctl report's cost: judging with and without it, memory for 1,000 clients.
bench-report: $(BUILD)/bench/report_bench
	$(Q)$(BUILD)/bench/report_bench

bench-log: $(BUILD)/bench/bench_log
	$(Q)$(BUILD)/bench/bench_log

bench-pipeline: all $(BUILD)/bench/gen_pcap $(BUILD)/bench/pipeline_bench
	$(Q)BUILD=$(BUILD) bash bench/pipeline.sh

# ---- fuzzing: libFuzzer harnesses fuzz/NAME_fuzz.c, seeds in fuzz/corpus/NAME ----
FUZZ_SECONDS ?= 60
FUZZ_TARGETS := $(patsubst fuzz/%.c,$(BUILD)/fuzz/%,$(wildcard fuzz/*_fuzz.c))
FUZZ_SRCS    := fuzz/split_feed.c tests/unit/parser_ops.c common/url.c common/ip_text.c common/name_map.c common/cidr.c enforcer/proto/http.c enforcer/proto/tls.c \
	enforcer/stream/stream_buf.c enforcer/stream/reasm.c common/ctl_proto.c \
	$(wildcard enforcer/proto/quic*.c) tests/unit/quicbuild.c \
	$(POLICY_SRCS)
FUZZ_CFLAGS  := -std=gnu11 -g -O1 -I. -D_GNU_SOURCE -Wall -Wextra -Werror \
	-fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined

$(BUILD)/fuzz/%_fuzz: fuzz/%_fuzz.c $(FUZZ_SRCS) $(wildcard fuzz/*.h common/*.h enforcer/*/*.h policies/*.h)
	$(call msg,FUZZ,$@)
	@mkdir -p $(@D)
	$(Q)$(CLANG) $(FUZZ_CFLAGS) $< $(FUZZ_SRCS) -o $@ -lpcre2-8 -lcrypto -lm

# New inputs go to build/fuzz/corpus/NAME; the committed seeds stay as they are.
fuzz: $(FUZZ_TARGETS)
	$(Q)for f in $(FUZZ_TARGETS); do n=$$(basename $$f _fuzz); \
		mkdir -p $(BUILD)/fuzz/corpus/$$n; echo "== fuzz $$n ($(FUZZ_SECONDS) s)"; \
		$$f -max_total_time=$(FUZZ_SECONDS) -print_final_stats=1 \
			-artifact_prefix=$(BUILD)/fuzz/$$n- \
			$(BUILD)/fuzz/corpus/$$n fuzz/corpus/$$n || exit 1; done

# ---- benchmarks: figures in bench/README.md ----
# Hyperscan is the matching benchmark's baseline only: nothing else links it.
BENCH_MATCH := $(BUILD)/bench/bench_match

$(BUILD)/obj/bench/bench_match.o: CFLAGS += $(shell pkg-config --cflags libhs 2>/dev/null)

$(BENCH_MATCH): $(call obj,bench/bench_match.c bench/match_sets.c) $(POLICY_LIB) $(COMMON_LIB)
	$(call msg,LINK,$@)
	@mkdir -p $(@D)
	$(Q)$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS) $(shell pkg-config --libs libhs 2>/dev/null)

bench-match:
	@pkg-config --exists libhs || { echo "bench-match needs Hyperscan: make deps" \
		"(libhyperscan-dev)"; exit 1; }
	$(Q)$(MAKE) --no-print-directory $(BENCH_MATCH)
	$(Q)$(BENCH_MATCH)

# The live daemon on a gateway namespace; its rules come from bench_match --emit.
bench-verdict: all
	@pkg-config --exists libhs || { echo "bench-verdict takes its rules from bench_match," \
		"which links Hyperscan: make deps (libhyperscan-dev)"; exit 1; }
	$(Q)$(MAKE) --no-print-directory $(BENCH_MATCH)
	$(Q)BUILD=$(BUILD) bash bench/verdict.sh

# --hold against the same daemon without it: latency, throughput, leak.
# A new QUIC connection's CPU cost and the offline rate, beside tshark.
bench-quic: all $(BUILD)/tests/quic_client
	$(Q)BUILD=$(BUILD) bash bench/quic.sh

bench-hold: all
	$(Q)BUILD=$(BUILD) bash bench/hold.sh

# ---- dependencies (Debian 12) ----
deps:
	@missing=$$(for p in $(DEB_PKGS); do \
		dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | grep -q 'install ok installed' || echo $$p; \
	done); \
	if [ -n "$$missing" ]; then \
		echo "installing:" $$missing; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing; \
	else echo "all build and test dependencies are installed"; fi

clean:
	rm -rf $(BUILD)

# ---- install: binaries, man pages (docs/), unit, defaults, completion (packaging/) ----
# The unit goes under $(PREFIX)/lib/systemd/system, which systemd searches for
# /usr/local and /usr alike; /etc/default is fixed because the unit reads it
# there, and an existing (edited) one is never overwritten or removed.
SBINDIR     ?= $(PREFIX)/sbin
MANDIR      ?= $(PREFIX)/share/man
UNITDIR     ?= $(PREFIX)/lib/systemd/system
EXAMPLESDIR ?= $(DATADIR)/examples
SERVICESDIR := $(DATADIR)/services
BASHCOMPDIR ?= $(PREFIX)/share/bash-completion/completions
SYSUSERSDIR ?= $(PREFIX)/lib/sysusers.d
DEFAULTSDIR := /etc/default
MAN5 := docs/url-enforcer.rules.5
MAN8 := docs/url-enforcer.8 docs/urlctl.8
EXAMPLES = $(patsubst examples/%,%,$(shell find examples -type f 2>/dev/null))

install: all
	$(Q)install -d $(DESTDIR)$(SBINDIR) $(DESTDIR)$(MANDIR)/man5 $(DESTDIR)$(MANDIR)/man8 \
		$(DESTDIR)$(UNITDIR) $(DESTDIR)$(DEFAULTSDIR) $(DESTDIR)$(BASHCOMPDIR) \
		$(DESTDIR)$(SYSUSERSDIR)
	$(Q)install -m 0755 $(DAEMON) $(URLCTL) $(DESTDIR)$(SBINDIR)/
	$(Q)install -m 0644 $(MAN5) $(DESTDIR)$(MANDIR)/man5/
	$(Q)install -m 0644 $(MAN8) $(DESTDIR)$(MANDIR)/man8/
	$(Q)for u in url-enforcer url-enforcer-web; do \
		sed 's|/usr/local/sbin/|$(SBINDIR)/|g' packaging/$$u.service \
			> $(DESTDIR)$(UNITDIR)/$$u.service && \
		chmod 0644 $(DESTDIR)$(UNITDIR)/$$u.service || exit 1; done
	$(Q)install -m 0644 packaging/url-enforcer.sysusers $(DESTDIR)$(SYSUSERSDIR)/url-enforcer.conf
	@# the control socket's group, now rather than at the next boot
	$(Q)[ -n "$(DESTDIR)" ] || getent group url-enforcer >/dev/null || \
		groupadd --system url-enforcer
	$(Q)[ -e $(DESTDIR)$(DEFAULTSDIR)/url-enforcer ] || { \
		sed 's|/usr/local/share/|$(PREFIX)/share/|g' packaging/url-enforcer.default \
			> $(DESTDIR)$(DEFAULTSDIR)/url-enforcer && \
		chmod 0644 $(DESTDIR)$(DEFAULTSDIR)/url-enforcer; }
	$(Q)install -m 0644 packaging/urlctl.bash-completion $(DESTDIR)$(BASHCOMPDIR)/urlctl
	$(Q)for f in $(EXAMPLES); do \
		install -D -m 0644 examples/$$f $(DESTDIR)$(EXAMPLESDIR)/$$f || exit 1; done
	$(Q)install -d $(DESTDIR)$(SERVICESDIR)
	$(Q)install -m 0644 examples/services/*.list $(DESTDIR)$(SERVICESDIR)/
	@echo 'installed under $(DESTDIR)$(PREFIX); configure $(DEFAULTSDIR)/url-enforcer, then'
	@echo '  systemctl daemon-reload && systemctl enable --now url-enforcer'
	@echo 'the dashboard: systemctl enable --now url-enforcer-web (http://127.0.0.1:8380/)'

uninstall:
	rm -f $(DESTDIR)$(SBINDIR)/url-enforcer $(DESTDIR)$(SBINDIR)/urlctl \
		$(addprefix $(DESTDIR)$(MANDIR)/man5/,$(notdir $(MAN5))) \
		$(addprefix $(DESTDIR)$(MANDIR)/man8/,$(notdir $(MAN8))) \
		$(DESTDIR)$(UNITDIR)/url-enforcer.service $(DESTDIR)$(UNITDIR)/url-enforcer-web.service \
		$(DESTDIR)$(SYSUSERSDIR)/url-enforcer.conf $(DESTDIR)$(BASHCOMPDIR)/urlctl
	rm -rf $(DESTDIR)$(EXAMPLESDIR) $(DESTDIR)$(SERVICESDIR)
	rmdir $(DESTDIR)$(DATADIR) 2>/dev/null || true
	@echo 'kept $(DESTDIR)$(DEFAULTSDIR)/url-enforcer (your settings)'

help:
	@echo 'make [V=1] [SAN=1] TARGET'
	@echo '  all             build/url-enforcer and build/urlctl (default)'
	@echo '  test            unit, in-kernel BPF and end-to-end tests (root for the kernel parts)'
	@echo '  check-layers    every include points down the layers, no include circles (part of test)'
	@echo '  fuzz            run each libFuzzer harness FUZZ_SECONDS (default 60) seconds'
	@echo '  demo            client/gateway/server namespaces, the enforcer and a few requests'
	@echo '  deps            install the Debian 12 build and test dependencies'
	@echo '  bench-pipeline  offline pipeline on a generated 1M-request pcap vs libpcap, tshark, ndpiReader'
	@echo '  bench-quic      CPU per new QUIC connection, offline rate on QUIC first flights vs tshark'
	@echo '  bench-match     policy matching: engine vs naive loop vs Hyperscan'
	@echo '  bench-report    urlctl report: judging with and without it, memory for 1,000 clients'
	@echo '  bench-hold      --hold: added latency p50/p99, throughput ratio, blocked requests seen'
	@echo '  bench-log       one decision log line: written directly vs jansson, ns a line'
	@echo '  bench-fleet     decision stream to a 3-node JetStream cluster: decisions/s, added CPU'
	@echo '  bench-verdict   live daemon: verdict latency, the leak without --hold, misses under wrk'
	@echo '  clean           remove build/'
	@echo '  install         binaries, man pages (docs/), systemd unit, /etc/default file and'
	@echo '                  bash completion (packaging/), examples, service lists;'
	@echo '                  PREFIX=/usr/local DESTDIR='
	@echo '  uninstall       remove them again (keeps /etc/default/url-enforcer)'

-include $(shell find $(BUILD)/obj -name '*.d' 2>/dev/null)
