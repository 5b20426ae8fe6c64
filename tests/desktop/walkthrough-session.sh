#!/bin/bash
# Inside Xvfb and a private D-Bus session: starts the accessibility bus, then runs
# walkthrough.py, or work.py for desktop.work (tests/desktop/walkthrough.sh sets the
# environment and SPONA_SCRIPT).
set -euo pipefail
export GTK_A11Y=atspi GDK_BACKEND=x11 GSK_RENDERER=cairo LIBGL_ALWAYS_SOFTWARE=1 \
    NO_AT_BRIDGE=0 GTK_MODULES=gail:atk-bridge  # the last only tells dogtail a11y is on
/usr/libexec/at-spi-bus-launcher --launch-immediately &
launcher=$!
trap 'kill $launcher 2>/dev/null || true' EXIT
sleep 1
/usr/bin/python3 "$(dirname "${BASH_SOURCE[0]}")/${SPONA_SCRIPT:-walkthrough.py}"
