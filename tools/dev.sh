#!/usr/bin/env bash
# netsocket developer entry point: set everything up, then run the main job or the tests.
#
#   bash tools/dev.sh demo   set up, then: start a virtual board, build, flash,
#                            run an example on it over serial, show what it printed
#   bash tools/dev.sh test   set up, then run the whole test suite
#   bash tools/dev.sh docs   set up, then build the documentation site (build/site)
#
# Set-up is idempotent: Debian packages only when missing, a virtualenv in
# .venv with the pinned Python dependencies, the harness installed editable.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
VENV=$ROOT/.venv
DEBIAN_PACKAGES=(valgrind dnsmasq-base mosquitto python3-pip nftables iproute2 ser2net)  # callgrind for netsocket bench; dnsmasq for the DNS tests;
# mosquitto for the socket facade tests (umqtt); python3-pip (Debian's pip 23) fetches their third-party libraries;
# nft, ip, tc for the board links (vboard --netns); ser2net for boards over the network (RFC 2217) and labgrid's exporter

say() { printf '\n== %s\n' "$*"; }

setup() {
    local missing=()
    for p in "${DEBIAN_PACKAGES[@]}"; do
        dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing+=("$p")
    done
    # Debian's python3 makes no virtualenv without python3-venv
    python3 -c 'import ensurepip, venv' 2>/dev/null || missing+=(python3-venv)
    if [ ${#missing[@]} -gt 0 ]; then
        say "installing Debian packages: ${missing[*]}"
        local sudo=""; [ "$(id -u)" -eq 0 ] || sudo=sudo
        $sudo apt-get update -qq
        DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
    fi
    if [ ! -x "$VENV/bin/python" ]; then
        say "creating the virtualenv in .venv"
        python3 -m venv "$VENV"
    fi
    if [ ! -f "$VENV/.installed" ] || [ pyproject.toml -nt "$VENV/.installed" ]; then
        say "installing the pinned Python dependencies and the harness"
        "$VENV/bin/pip" install -q --upgrade pip
        "$VENV/bin/pip" install -q -e ".[test]"
        touch "$VENV/.installed"
    fi
    # third-party MicroPython libraries the socket facade tests run unmodified (never committed)
    "$VENV/bin/python" -m netsocket_harness.thirdparty >/dev/null || say "warning: third-party libraries not fetched (their tests skip)"
}

demo() {
    # The demo's board is the one the next command finds: vb0 in the default state directory
    # ($NETSOCKET_HOME or ~/.local/state/netsocket), left running with netsocket in its ROM.
    local ns="$VENV/bin/netsocket"
    if "$ns" vboard list | grep -q "^vb0	"; then
        say "netsocket vboard list   (vb0 is running: the demo uses it)"
        "$ns" vboard list
    else
        say "netsocket vboard start   (a virtual board named vb0)"
        "$ns" vboard start
    fi
    say "netsocket build --board VIRTUAL"
    "$ns" build --board VIRTUAL
    say "netsocket flash --board VIRTUAL   (the package into vb0's ROM)"
    "$ns" flash --board VIRTUAL
    say "netsocket run examples/demo.py   (on vb0; what the board printed:)"
    "$ns" run examples/demo.py
    say "vb0 keeps running with netsocket: .venv/bin/netsocket repl (Ctrl-] leaves); stop it with .venv/bin/netsocket vboard stop"
}

docs() {
    say "mkdocs build --strict: the documentation site into build/site"
    NO_MKDOCS_2_WARNING=1 "$VENV/bin/python" -m mkdocs build --strict -q
    echo "open $ROOT/build/site/index.html"
}

tests() {
    say "pytest: host tests and device tests on virtual boards (2 workers)"
    "$VENV/bin/python" -m pytest tests -n 2 -p no:cacheprovider "$@"
}

case "${1:-}" in
    demo) setup; demo ;;
    test) shift; setup; tests "$@" ;;
    docs) setup; docs ;;
    setup) setup ;;
    *) echo "usage: bash tools/dev.sh demo|test|docs|setup" >&2; exit 2 ;;
esac
