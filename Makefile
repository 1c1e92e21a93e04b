# Cairn build.  `make` builds build/cairn; `make run` and `make test` are the
# two set-up commands the README gives.  `make SAN=1` builds with ASan and
# UBSan into build-san/.

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
LIB_OBJS := $(LIB_SRCS:%.c=$(BUILD)/%.o) $(CXX_SRCS:%.cc=$(BUILD)/%.o)
UNIT_SRCS := $(sort $(wildcard tests/unit/test_*.c))
UNIT_BINS := $(UNIT_SRCS:tests/unit/%.c=$(BUILD)/tests/%)

DATA     ?= data
LISTEN   ?= 127.0.0.1:8080
PYTHON   ?= /usr/bin/python3

.PHONY: all run test unit api deps test-deps clean format bench

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

$(BUILD)/tests/%: tests/unit/%.c $(BUILD)/libcairn.a
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(LDLIBS) -lcmocka

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

# Second set-up command: install test tools, then every test, plain and
# under the sanitizers.
test: test-deps
	$(MAKE) unit api
	$(MAKE) SAN=1 unit api

bench: all
	sh bench/import

format:
	clang-format -i $(SRCS) $(wildcard src/*/*.h) $(UNIT_SRCS)

clean:
	rm -rf build build-san
