#!/bin/sh
# install-deps.sh: install what convgrad needs to build, run and test, on
# Debian or Ubuntu (apt-get). Elsewhere it prints what to install.
#
#   scripts/install-deps.sh            install (as root, or through sudo)
#   scripts/install-deps.sh --check    only say what is missing; exit 1 if any
#   scripts/install-deps.sh --bench    also python3-torch, for make bench's
#                                      torch.autograd.gradcheck figures
#                                      (never needed to build or test)
set -eu

# Debian package names, with what each is for.
PACKAGES="build-essential autoconf automake pkg-config
libncurses-dev libcmark-dev libopenblas-dev check tmux python3-numpy
clang libclang-rt-dev libxml2-utils python3-html5lib"
# libxml2-utils (xmllint) and python3-html5lib: tests/cli-html.sh parses the
# HTML handouts as XML and as HTML5. (Chromium, for tests/html-screenshot.sh,
# is optional: that test is skipped without it.)
# clang and libclang-rt-dev (compiler-rt: libFuzzer, ASan, UBSan) build the
# fuzzers, ./configure --enable-fuzzing CC=clang; .ci/run runs them.
if [ "${1:-}" = "--bench" ]; then
	PACKAGES="$PACKAGES python3-torch"
	shift
fi

missing=""
for p in $PACKAGES; do
	if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
		missing="$missing $p"
	fi
done

if [ "${1:-}" = "--check" ]; then
	[ -z "$missing" ] && { echo "install-deps: everything is installed"; exit 0; }
	echo "install-deps: missing:$missing"
	exit 1
fi

if [ -z "$missing" ]; then
	echo "install-deps: everything is installed"
	exit 0
fi

if ! command -v apt-get >/dev/null 2>&1; then
	cat >&2 <<MSG
install-deps: no apt-get here. Install these with your system's package manager:
  a C11 compiler and make, autoconf, automake, pkg-config,
  ncursesw (development files), libcmark (CommonMark, development files),
  a CBLAS such as OpenBLAS (optional: configure --with-blas=none uses a
  built-in GEMM), Check >= 0.12 (for make check), tmux (for the tutor's tests),
  NumPy for Python 3 (optional: the NumPy example's tests), xmllint from
  libxml2 (for the HTML handouts' test).
MSG
	exit 2
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
	if command -v sudo >/dev/null 2>&1; then
		SUDO="sudo"
	else
		echo "install-deps: run as root (or install sudo) to install:$missing" >&2
		exit 2
	fi
fi

echo "install-deps: installing:$missing"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
# shellcheck disable=SC2086
$SUDO apt-get install -y -qq --no-install-recommends $missing
