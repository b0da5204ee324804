# Build and install devctl. `make install PREFIX=$HOME/.local` installs without root.
PREFIX ?= /usr/local
BINDIR ?= $(PREFIX)/bin

.PHONY: build install uninstall test

build:
	swift build -c release

install: build
	install -d "$(DESTDIR)$(BINDIR)"
	install -m 755 .build/release/devctl "$(DESTDIR)$(BINDIR)/devctl"

uninstall:
	rm -f "$(DESTDIR)$(BINDIR)/devctl"

test:
	swift test
