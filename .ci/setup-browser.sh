#!/usr/bin/env bash
# Install Debian's chromium for the leaderboard's browser tests
# (tests/test_leaderboard_browser.py, marked `browser`; they skip without chromium).
# CI runs as root, so apt-get needs no sudo; elsewhere `sudo -n` is used when it
# works without a password. Idempotent: nothing to do when chromium already runs.
# Exit status: 0 when a working headless chromium is on PATH afterwards, 1 otherwise.
set -u

works() {
    local exe
    exe="$(command -v chromium || command -v chromium-browser || true)"
    [ -n "$exe" ] && "$exe" --headless --no-sandbox --disable-gpu --version >/dev/null 2>&1
}

if works; then
    echo "setup-browser: $(chromium --version 2>/dev/null || chromium-browser --version) already installed"
    exit 0
fi
if ! command -v apt-get >/dev/null 2>&1; then
    echo "setup-browser: no apt-get on this machine; the browser tests will skip"
    exit 1
fi
SUDO=""
if [ "$(id -u)" -ne 0 ]; then
    if sudo -n true >/dev/null 2>&1; then SUDO="sudo -n"; else
        echo "setup-browser: not root and no password-less sudo; the browser tests will skip"
        exit 1
    fi
fi
export DEBIAN_FRONTEND=noninteractive
# The package lists of a fresh image may be empty or stale: install, else update first.
$SUDO apt-get install -y -q chromium >/dev/null 2>&1 \
    || { $SUDO apt-get update -q >/dev/null 2>&1 \
         && $SUDO apt-get install -y -q chromium >/dev/null 2>&1; }
if works; then
    echo "setup-browser: installed $(chromium --version 2>/dev/null)"
    exit 0
fi
echo "setup-browser: apt-get could not install a working chromium; the browser tests will skip"
exit 1
