#!/usr/bin/env bash
# Best-effort install of Debian's chromium for the leaderboard's browser test
# (tests/test_leaderboard_browser.py, marked `browser`; it skips without chromium).
# Idempotent: does nothing when chromium is already on PATH. Never fails CI.
set -u
if command -v chromium >/dev/null 2>&1 || command -v chromium-browser >/dev/null 2>&1; then
    exit 0
fi
SUDO=""
if [ "$(id -u)" -ne 0 ]; then
    if command -v sudo >/dev/null 2>&1; then SUDO="sudo -n"; else
        echo "setup-browser: not root and no sudo; skipping chromium install"; exit 0; fi
fi
if command -v apt-get >/dev/null 2>&1; then
    $SUDO apt-get install -y chromium >/dev/null 2>&1 \
        || { $SUDO apt-get update >/dev/null 2>&1 && $SUDO apt-get install -y chromium >/dev/null 2>&1; } \
        || echo "setup-browser: apt-get install chromium failed; the browser test will skip"
else
    echo "setup-browser: no apt-get; the browser test will skip"
fi
exit 0
