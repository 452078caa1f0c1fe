# xsell: build, test, demo, bench, lint, install.
# make [all|check|demo|bench|lint|fuzz|install|uninstall|clean] [DEVELOPER=1] [SANITIZE=address,undefined]

PREFIX ?= /usr/local
BINDIR ?= $(PREFIX)/bin
MANDIR ?= $(PREFIX)/share/man
# Where bash-completion looks for a command's completion, and zsh's
# directory for site functions.
BASHCOMPDIR ?= $(PREFIX)/share/bash-completion/completions
ZSHCOMPDIR ?= $(PREFIX)/share/zsh/site-functions
CC ?= cc
CFLAGS ?= -O2 -g
XCFLAGS = -std=c11 -D_DEFAULT_SOURCE -D_FILE_OFFSET_BITS=64 -pthread -Wall -Wextra -Ilib -MMD -MP
LIBS = -lcsv -ljansson -lm -pthread

ifeq ($(DEVELOPER),1)
XCFLAGS += -Werror
endif
ifneq ($(SANITIZE),)
XCFLAGS += -fsanitize=$(SANITIZE) -fno-omit-frame-pointer -fno-sanitize-recover=all
LDFLAGS += -fsanitize=$(SANITIZE)
endif

LIBSRC := $(sort $(wildcard lib/*.c))
LIBOBJ := $(LIBSRC:%.c=build/%.o)
TOOLS := $(patsubst cmd/%.c,bin/%,$(sort $(wildcard cmd/xsell-*.c)))
UNITS := $(patsubst tests/unit/%.c,build/unit/%,$(sort $(wildcard tests/unit/test-*.c)))
PAGES := $(sort $(wildcard man/*.1 man/*.7))

all: $(TOOLS)

# Objects are rebuilt when the flags change (a sanitizer build after a plain one).
build/flags: FORCE
	@mkdir -p build
	@echo '$(CC) $(CFLAGS) $(XCFLAGS) $(LDFLAGS)' | cmp -s - $@ || echo '$(CC) $(CFLAGS) $(XCFLAGS) $(LDFLAGS)' > $@

build/%.o: %.c build/flags
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(XCFLAGS) -c -o $@ $<

lib/libxsell.a: $(LIBOBJ)
	rm -f $@
	$(AR) rcs $@ $(LIBOBJ)

bin/%: build/cmd/%.o lib/libxsell.a
	@mkdir -p bin
	$(CC) $(CFLAGS) $(XCFLAGS) $(LDFLAGS) -o $@ $< lib/libxsell.a $(LIBS)

build/unit/%: build/tests/unit/%.o lib/libxsell.a
	@mkdir -p build/unit
	$(CC) $(CFLAGS) $(XCFLAGS) $(LDFLAGS) -o $@ $< lib/libxsell.a $(LIBS)

deps:
	@scripts/deps

# The README's two commands. Each says what it installs before installing
# it, then builds quietly (-s: a warning still shows), so what follows is
# the tests' TAP or the demo's stages. tests/run runs the units and the
# suites side by side, JOBS at a time (default: the cores online;
# make check JOBS=1 runs them in turn).
check: deps
	@$(MAKE) -s --no-print-directory all $(UNITS)
	@tests/run $(UNITS)

# The demo's tables are laid out by column(1), from bsdextrautils: one
# scripts/deps call, so one apt-get run at most.
demo:
	@scripts/deps bsdextrautils
	@$(MAKE) -s --no-print-directory all
	@scripts/demo

bench: deps
	@$(MAKE) --no-print-directory all
	@scripts/bench

lint: deps
	@$(MAKE) --no-print-directory all
	@if [ -n "$(PAGES)" ]; then mandoc -Tlint -W warning $(PAGES); fi
	@scripts/check-synopsis $(TOOLS)

fuzz:
	@scripts/fuzz

install: all
	mkdir -p $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR)/man1 $(DESTDIR)$(MANDIR)/man7
	cp $(TOOLS) $(DESTDIR)$(BINDIR)/
	cp man/*.1 $(DESTDIR)$(MANDIR)/man1/
	cp man/*.7 $(DESTDIR)$(MANDIR)/man7/
	mkdir -p $(DESTDIR)$(BASHCOMPDIR) $(DESTDIR)$(ZSHCOMPDIR)
	for t in $(notdir $(TOOLS)); do \
		cp scripts/completion/xsell.bash $(DESTDIR)$(BASHCOMPDIR)/$$t || exit; \
	done
	cp scripts/completion/_xsell $(DESTDIR)$(ZSHCOMPDIR)/

uninstall:
	for t in $(notdir $(TOOLS)); do \
		rm -f $(DESTDIR)$(BINDIR)/$$t $(DESTDIR)$(BASHCOMPDIR)/$$t; \
	done
	rm -f $(addprefix $(DESTDIR)$(MANDIR)/man1/,$(notdir $(wildcard man/*.1)))
	rm -f $(addprefix $(DESTDIR)$(MANDIR)/man7/,$(notdir $(wildcard man/*.7)))
	rm -f $(DESTDIR)$(ZSHCOMPDIR)/_xsell

clean:
	rm -rf build bin lib/libxsell.a

FORCE:
.PHONY: all deps check demo bench lint fuzz install uninstall clean FORCE
.SECONDARY:

-include $(shell find build -name '*.d' 2>/dev/null)
