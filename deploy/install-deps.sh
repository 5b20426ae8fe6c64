#!/usr/bin/env bash
# Installs the Debian packages Spona builds, tests and runs with, but only when one is
# missing (checked with dpkg-query). Used by deploy/quickstart.sh and tests/run.sh.
#
#   deploy/install-deps.sh
#
# As root it runs apt-get itself; as another user it uses sudo when sudo is there
# (without a prompt when there is no terminal); otherwise it says what is missing and
# carries on, so that a machine prepared by an administrator still works.
# SPONA_SKIP_INSTALL=1 skips the whole step.
set -euo pipefail

readonly SPONA_PACKAGES=(
    build-essential cmake pkg-config
    libevent-dev libpq-dev libssl-dev libprotobuf-c-dev protobuf-c-compiler
    libcmocka-dev libinih-dev libyaml-dev
    libjson-c-dev      # the CLI's --json output
    postgresql-15 openssl
    python3            # deploy/demo-prijedor.sh (standard library only)
    libcairo2-dev fonts-dejavu-core   # the printable report (PDF, Latin and Cyrillic)
    poppler-utils      # pdftotext/pdftoppm: the test that renders the printable report
    gettext            # msgfmt, xgettext, msgcmp: the clients' catalogs (po/, docs/i18n.md)
    clang libclang-rt-dev   # the libFuzzer targets (tests/fuzz): clang and libclang_rt.fuzzer
    libgtk-4-dev libadwaita-1-dev   # spona-desktop (docs/desktop.md): GTK 4.8, libadwaita 1.2
    xvfb dbus-x11 at-spi2-core python3-dogtail   # desktop.walkthrough: Xvfb, D-Bus, AT-SPI
    haproxy            # integration.region_haproxy: regional daemons behind HAProxy
)

say() { printf 'install-deps: %s\n' "$*"; }

if [[ ${SPONA_SKIP_INSTALL:-0} == 1 ]]; then
    say "SPONA_SKIP_INSTALL=1: not checking packages"
    exit 0
fi
if ! command -v dpkg-query >/dev/null; then
    say "no dpkg-query (not Debian?): install by hand: ${SPONA_PACKAGES[*]}"
    exit 0
fi

missing=()
for package in "${SPONA_PACKAGES[@]}"; do
    status=$(dpkg-query -W -f='${db:Status-Status}' "$package" 2>/dev/null || true)
    [[ $status == installed ]] || missing+=("$package")
done
if ((${#missing[@]} == 0)); then
    say "all packages present"
    exit 0
fi
say "missing: ${missing[*]}"

if ((EUID == 0)); then
    as_root=()
elif command -v sudo >/dev/null; then
    if [[ -t 0 ]]; then as_root=(sudo); else as_root=(sudo -n); fi
else
    say "not root and no sudo: skipping the installation; ask an administrator to run"
    say "  apt-get install ${missing[*]}"
    exit 0
fi

export DEBIAN_FRONTEND=noninteractive
if ! "${as_root[@]}" apt-get update -q ||
    ! "${as_root[@]}" apt-get install -y -q --no-install-recommends "${missing[@]}" </dev/null; then
    if ((EUID == 0)); then
        say "error: apt-get failed (see above)"
        exit 1
    fi
    say "could not install the packages (see above); continuing, the build will tell what is lacking"
    exit 0
fi
say "installed: ${missing[*]}"
