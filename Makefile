# Cairn build.  `make` builds build/cairn; `make run` and `make test` are the
# two set-up commands the README gives.  `make SAN=1` builds with ASan and
# UBSan into build-san/.  `make install` installs the binary, the man page
# and a systemd service (PREFIX and DESTDIR as usual).

PKGS     := libmicrohttpd yajl jansson sqlite3 libsodium libpcre2-8 libidn2 \
	    gnutls
CC       ?= cc
CXX      ?= c++
SAN      ?=
BUILD    := $(if $(SAN),build-san,build)
CFLAGS   ?= -O2 -g
CFLAGS   += -std=c11 -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE \
	    -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes \
	    -Wno-missing-field-initializers -Isrc \
	    $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
# libfuzzy (ssdeep) and libtlsh ship no pkg-config file; libtlsh is C++,
# so the C++ runtime comes along.
LDLIBS   += $(shell pkg-config --libs $(PKGS) 2>/dev/null) -lfuzzy -ltlsh \
	    -lstdc++ -lpthread
# The one C++ file wraps libtlsh's class in C functions.
CXXFLAGS ?= -O2 -g
CXXFLAGS += -std=c++17 -Wall -Wextra -Werror -Isrc
ifneq ($(SAN),)
CFLAGS   += -fsanitize=address,undefined -fno-omit-frame-pointer \
	    -fno-sanitize-recover=undefined
CXXFLAGS += -fsanitize=address,undefined -fno-omit-frame-pointer \
	    -fno-sanitize-recover=undefined
LDFLAGS  += -fsanitize=address,undefined
endif

SRCS     := $(sort $(wildcard src/*/*.c))
LIB_SRCS := $(filter-out src/cli/main.c,$(SRCS))
CXX_SRCS := $(sort $(wildcard src/*/*.cc))
LIB_OBJS := $(LIB_SRCS:%.c=$(BUILD)/%.o) $(CXX_SRCS:%.cc=$(BUILD)/%.o) \
	    $(BUILD)/gen/web_assets.o
UNIT_SRCS := $(sort $(wildcard tests/unit/test_*.c))
UNIT_BINS := $(UNIT_SRCS:tests/unit/%.c=$(BUILD)/tests/%)

DATA     ?= data
LISTEN   ?= 127.0.0.1:8080
PYTHON   ?= /usr/bin/python3

PREFIX      ?= /usr/local
BINDIR      ?= $(PREFIX)/bin
MANDIR      ?= $(PREFIX)/share/man
UNITDIR     ?= $(PREFIX)/lib/systemd/system
SYSUSERSDIR ?= $(PREFIX)/lib/sysusers.d
SYSCONFDIR  ?= /etc
DESTDIR     ?=

.PHONY: all run test unit api formats web-test deps test-deps clean format bench \
	install uninstall install-test docker-deps docker-test

all: $(BUILD)/cairn

$(BUILD)/cairn: $(BUILD)/src/cli/main.o $(BUILD)/libcairn.a
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(BUILD)/libcairn.a: $(LIB_OBJS)
	rm -f $@
	ar rcs $@ $^

$(BUILD)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -MMD -MP -c -o $@ $<

$(BUILD)/%.o: %.cc
	@mkdir -p $(dir $@)
	$(CXX) $(CXXFLAGS) -MMD -MP -c -o $@ $<

# The web UI: web/'s own files and ECharts' ES module build, from the
# packages web/package-lock.json pins, embedded into the binary.
WEB_FILES := $(sort $(shell find web -type f -not -path 'web/node_modules/*' \
	\( -name '*.html' -o -name '*.css' -o -name '*.js' -o -name '*.svg' \)))
WEB_NPM   := web/node_modules/.package-lock.json
ECHARTS   := web/node_modules/echarts/dist/echarts.esm.min.mjs

$(WEB_NPM): web/package-lock.json
	cd web && npm ci --no-audit --no-fund
	touch $@

$(BUILD)/embed_web: scripts/embed_web.c
	@mkdir -p $(dir $@)
	$(CC) -O1 -Wall -Wextra -Werror -o $@ $<

$(BUILD)/gen/web_assets.c: $(BUILD)/embed_web $(WEB_FILES) $(WEB_NPM)
	@mkdir -p $(dir $@)
	$(BUILD)/embed_web $@ web $(WEB_FILES) vendor/echarts.mjs=$(ECHARTS)

$(BUILD)/gen/web_assets.o: $(BUILD)/gen/web_assets.c src/api/web_assets.h
	$(CC) $(CFLAGS) -c -o $@ $<

$(BUILD)/tests/%: tests/unit/%.c $(BUILD)/libcairn.a
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(LDLIBS) -lcmocka

$(BUILD)/tests/format_dump: tests/formats/format_dump.c $(BUILD)/libcairn.a
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(LDLIBS)

-include $(LIB_OBJS:.o=.d) $(BUILD)/src/cli/main.d

deps:
	sh scripts/install-deps.sh build

test-deps:
	sh scripts/install-deps.sh test

# First set-up command: install, build, initialise $(DATA) once, serve.
run: deps
	$(MAKE) all
	@if [ ! -f $(DATA)/cairn.db ]; then ./build/cairn init --data $(DATA); \
	 else echo "data directory $(DATA) exists; its admin key was printed" \
	      "when it was created (cairn init --data DIR --new-key makes" \
	      "another)"; fi
	./build/cairn serve --data $(DATA) --listen $(LISTEN)

unit: $(UNIT_BINS)
	@for t in $(UNIT_BINS); do echo "== $$t"; $$t || exit 1; done

api: all
	CAIRN_BIN=$(abspath $(BUILD)/cairn) $(PYTHON) -m pytest -q tests/api

# Export formats checked by their real consumers (named-checkzone, yara,
# the STIX 2.1 schemas, Python's csv module).
formats: $(BUILD)/tests/format_dump
	FORMAT_DUMP=$(abspath $(BUILD)/tests/format_dump) \
		$(PYTHON) -m pytest -q tests/formats

# Browser tests: Debian's chromium driven by playwright-core, from the
# packages tests/web/package-lock.json pins.  Without chromium they skip,
# unless CI=true.
WEB_TEST_NPM := tests/web/node_modules/.package-lock.json

$(WEB_TEST_NPM): tests/web/package-lock.json
	cd tests/web && npm ci --no-audit --no-fund
	touch $@

web-test: all $(WEB_TEST_NPM)
	CAIRN_BIN=$(abspath $(BUILD)/cairn) node --test tests/web/ui.test.mjs tests/web/review2.test.mjs

# Second set-up command: install test tools, then every test, plain and
# under the sanitizers, then the container test, which skips itself
# without root or with CAIRN_SKIP_DOCKER=1.
test: test-deps
	$(MAKE) unit api formats web-test install-test
	$(MAKE) SAN=1 unit api formats
	$(MAKE) docker-test

# The binary, the man page, the systemd unit and its sysusers.d entry, and
# an environment file that is kept when it exists.  Without DESTDIR it
# also creates the system user cairn.
install: all
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR)/man1 \
		$(DESTDIR)$(UNITDIR) $(DESTDIR)$(SYSUSERSDIR) \
		$(DESTDIR)$(SYSCONFDIR)/cairn
	install -m 0755 $(BUILD)/cairn $(DESTDIR)$(BINDIR)/cairn
	install -m 0644 docs/cairn.1 $(DESTDIR)$(MANDIR)/man1/cairn.1
	sed -e 's|@BINDIR@|$(BINDIR)|g' -e 's|@SYSCONFDIR@|$(SYSCONFDIR)|g' \
		dist/cairn.service.in >$(DESTDIR)$(UNITDIR)/cairn.service
	chmod 0644 $(DESTDIR)$(UNITDIR)/cairn.service
	install -m 0644 dist/cairn.sysusers $(DESTDIR)$(SYSUSERSDIR)/cairn.conf
	@if [ -e $(DESTDIR)$(SYSCONFDIR)/cairn/cairn.env ]; then \
		echo "keeping $(DESTDIR)$(SYSCONFDIR)/cairn/cairn.env"; \
	else \
		install -m 0600 dist/cairn.env \
			$(DESTDIR)$(SYSCONFDIR)/cairn/cairn.env; \
	fi
	@if [ -z "$(DESTDIR)" ]; then sh dist/add-user.sh \
		$(SYSUSERSDIR)/cairn.conf; fi

uninstall:
	rm -f $(DESTDIR)$(BINDIR)/cairn $(DESTDIR)$(MANDIR)/man1/cairn.1 \
		$(DESTDIR)$(UNITDIR)/cairn.service \
		$(DESTDIR)$(SYSUSERSDIR)/cairn.conf
	@echo "kept $(DESTDIR)$(SYSCONFDIR)/cairn/cairn.env, /var/lib/cairn" \
		"and the user cairn"

install-test:
	sh tests/install/run.sh

docker-deps:
	@if [ "$$(id -u)" -eq 0 ] && [ "$${CAIRN_SKIP_DOCKER:-0}" != 1 ]; then \
		sh scripts/install-deps.sh docker; fi

docker-test: docker-deps
	sh tests/docker/run.sh

bench: all
	sh bench/import

format:
	clang-format -i $(SRCS) $(wildcard src/*/*.h) $(UNIT_SRCS)

clean:
	rm -rf build build-san
