# shellcheck shell=bash
# Helpers shared by scripts/run.sh and scripts/test.sh. Source it; do not run it.
#
#   kw_deps              install what is missing (Debian packages, Rust components, Node, UI and
#                        interop test deps)
#   kw_target            pick a cargo target dir outside the clone (stays warm across fresh clones)
#   kw_build             build the UI (ui/dist, embedded by the app), then every binary
#   kw_with_keyring CMD  run CMD on a private D-Bus session with a fresh, unlocked gnome-keyring
#   kw_with_display CMD  run CMD on $DISPLAY, or under Xvfb when there is none
#
# CMD may itself be one of these functions: `kw_with_keyring kw_with_display cargo test`.
# Every function returns non-zero on failure instead of relying on `set -e`, because callers may
# run it where errexit is off (inside `if`, `||`, ...).

KW_LIB="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/lib.sh"
KW_ROOT="$(dirname "$(dirname "$KW_LIB")")"

# rustup's default place, for shells that have not sourced ~/.cargo/env.
if ! command -v cargo >/dev/null 2>&1 && [[ -x "${CARGO_HOME:-$HOME/.cargo}/bin/cargo" ]]; then
  export PATH="${CARGO_HOME:-$HOME/.cargo}/bin:$PATH"
fi

# Colours only on a terminal (CI logs stay plain) and never with NO_COLOR set.
# shellcheck disable=SC2034 # used by the scripts that source this file
if [[ -t 2 && -z "${NO_COLOR:-}" ]]; then
  KW_BOLD=$'\033[1m' KW_RED=$'\033[1;31m' KW_GREEN=$'\033[1;32m' KW_BLUE=$'\033[1;34m' KW_OFF=$'\033[0m'
else
  KW_BOLD="" KW_RED="" KW_GREEN="" KW_BLUE="" KW_OFF=""
fi

kw_say() { printf '%s==> %s%s\n' "$KW_BOLD" "$*" "$KW_OFF" >&2; }
kw_err() { printf 'keyward: error: %s\n' "$*" >&2; }

# Runs "$@" in a new process (a child of dbus-run-session, xvfb-run, ...). A shell function is
# not visible there, so go through a bash that sources this file first.
kw__spawn_argv() {
  if declare -F "$1" >/dev/null; then
    # shellcheck disable=SC2016 # expanded by the inner bash
    KW_ARGV=(bash -c 'source "$0" && "$@"' "$KW_LIB" "$@")
  else
    KW_ARGV=("$@")
  fi
}

# ---------------------------------------------------------------------------------------------
# Dependencies

KW_DEBIAN_PACKAGES=(
  # Tauri build
  libwebkit2gtk-4.1-dev libgtk-3-dev libayatana-appindicator3-dev librsvg2-dev libssl-dev
  libxdo-dev build-essential file pkg-config curl wget
  # virtual display, screenshots, WebDriver for the GUI tests
  xvfb xauth x11-utils webkit2gtk-driver imagemagick
  # a real Secret Service for the keychain tests; gdbus sends the screen-lock signal
  gnome-keyring dbus-daemon dbus-bin libsecret-tools libglib2.0-bin
  # the clipboard test reads the X clipboard
  xclip
  # deep links: run-time registration of URL schemes (tauri-plugin-deep-link on Linux)
  desktop-file-utils xdg-utils
  # interop tests
  openssl openssh-client
)

kw__deb_installed() {
  [[ "$(dpkg-query -W -f='${Status}' "$1" 2>/dev/null || true)" == "install ok installed" ]]
}

kw__apt_install() {
  local -a sudo=()
  if [[ "$(id -u)" -ne 0 ]]; then
    if ! command -v sudo >/dev/null 2>&1; then
      kw_err "need root (or sudo) to install: $*"
      return 1
    fi
    sudo=(sudo)
  fi
  # Two apt runs at once fail half-way: wait for whoever else is installing.
  local waited=0
  while pgrep -x apt-get >/dev/null || pgrep -x apt >/dev/null || pgrep -x dpkg >/dev/null; do
    if ((waited == 0)); then kw_say "waiting for another apt/dpkg run to finish"; fi
    if ((waited >= 900)); then
      kw_err "another apt/dpkg run is still going after 15 min"
      return 1
    fi
    sleep 3
    waited=$((waited + 3))
  done
  kw_say "installing Debian packages: $*"
  "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -q &&
    "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q \
      --no-install-recommends -o DPkg::Lock::Timeout=600 "$@"
}

kw_deps() {
  local -a missing=()
  local pkg
  for pkg in "${KW_DEBIAN_PACKAGES[@]}"; do
    kw__deb_installed "$pkg" || missing+=("$pkg")
  done
  # Node: the UI toolchain (Vite 8, Vitest 4) needs node >= 20.
  command -v node >/dev/null 2>&1 || missing+=(nodejs)
  command -v npm >/dev/null 2>&1 || missing+=(npm)
  if ((${#missing[@]})); then
    kw__apt_install "${missing[@]}" || return 1
  fi

  local node_major
  node_major="$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)"
  if ((node_major < 20)); then
    kw_err "node >= 20 is needed, found $(node --version 2>/dev/null || echo none)." \
      "Install Node.js 20 or newer (the Debian 12 package is 18), then rerun."
    return 1
  fi

  # Rust: rustup is not a Debian 12 package, so do not guess; say what to do.
  if ! command -v cargo >/dev/null 2>&1; then
    kw_err "cargo not found. Install Rust with rustup (see https://rustup.rs):" \
      "run rustup-init with the default profile, open a new shell (or source ~/.cargo/env)," \
      "then rerun this script."
    return 1
  fi
  local -a components=()
  cargo fmt --version >/dev/null 2>&1 || components+=(rustfmt)
  cargo clippy --version >/dev/null 2>&1 || components+=(clippy)
  if ((${#components[@]})); then
    if ! command -v rustup >/dev/null 2>&1; then
      kw_err "missing Rust components (${components[*]}) and no rustup to add them"
      return 1
    fi
    kw_say "rustup component add ${components[*]}"
    rustup component add "${components[@]}" || return 1
  fi

  # UI dependencies when node_modules is missing or older than the lock file: `npm ci` installs
  # exactly the committed lock (it holds every platform's optional binaries) and never rewrites
  # it, so a fresh clone stays clean.
  local ui="$KW_ROOT/ui" stamp
  stamp="$ui/node_modules/.package-lock.json" # rewritten by every npm install / ci
  [[ -e "$stamp" ]] || stamp="$ui/node_modules"
  if [[ ! -d "$ui/node_modules" || "$ui/package-lock.json" -nt "$stamp" ]]; then
    kw_say "npm ci (ui/)"
    (cd "$ui" && npm ci --no-audit --no-fund) || return 1
  fi

  kw__interop_deps || return 1
}

# The node packages the interop tests check Keyward against (tests/interop: ethers, eosjs-ecc,
# @bsv/sdk, jose), installed like the UI's: when node_modules is missing or older than the lock.
kw__interop_deps() {
  local dir="$KW_ROOT/tests/interop" stamp
  stamp="$dir/node_modules/.package-lock.json" # rewritten by every npm install / ci
  [[ -e "$stamp" ]] || stamp="$dir/node_modules"
  if [[ ! -d "$dir/node_modules" || "$dir/package-lock.json" -nt "$stamp" ]]; then
    kw_say "npm ci (tests/interop/)"
    (cd "$dir" && npm ci --no-audit --no-fund) || return 1
  fi
}

# ---------------------------------------------------------------------------------------------
# Build

kw_target() {
  if [[ -z "${CARGO_TARGET_DIR:-}" ]]; then
    CARGO_TARGET_DIR="${XDG_CACHE_HOME:-$HOME/.cache}/keyward/target"
  fi
  # Tests run with another working directory: hand them an absolute path.
  [[ "$CARGO_TARGET_DIR" == /* ]] || CARGO_TARGET_DIR="$PWD/$CARGO_TARGET_DIR"
  export CARGO_TARGET_DIR
  export KEYWARD_TARGET_DIR="$CARGO_TARGET_DIR"
}

# True when ui/dist is newer than every UI source file. Skipping a needless `vite build` also
# spares a relink of the app, which embeds ui/dist and rebuilds whenever its files change.
kw__ui_dist_fresh() {
  local ui="$KW_ROOT/ui"
  [[ -f "$ui/dist/index.html" ]] || return 1
  [[ -z "$(find "$ui" \( -path "$ui/node_modules" -o -path "$ui/dist" \) -prune \
    -o -newer "$ui/dist/index.html" -print -quit)" ]]
}

# ui/dist, which the app embeds at compile time; skipped when it is newer than every UI source.
kw_build_ui() {
  if kw__ui_dist_fresh; then
    kw_say "ui/dist is up to date"
  else
    kw_say "npm run build (ui/)"
    (cd "$KW_ROOT/ui" && npm run build) || return 1
  fi
}

kw_build() {
  kw_build_ui || return 1
  kw_say "cargo build --workspace --bins"
  (cd "$KW_ROOT" && cargo build --workspace --bins)
}

# ---------------------------------------------------------------------------------------------
# Private Secret Service

# kw_start_xvfb STATE_DIR: starts an Xvfb of our own (1280x800x24, no TCP) on a free display
# (-displayfd: Xvfb picks the number itself, others may be in use), sets xvfb_pid, exports
# DISPLAY (and GDK_BACKEND=x11, no WAYLAND_DISPLAY). The log is STATE_DIR/xvfb.log.
kw_start_xvfb() {
  local state="$1" display="" i
  # -noreset: Xvfb otherwise resets when its last client leaves and drops a client that connects
  # meanwhile ("Failed to initialize GTK" in a test that starts the app right after another).
  Xvfb -displayfd 3 -screen 0 1280x800x24 -nolisten tcp -noreset 3>"$state/display" 2>"$state/xvfb.log" &
  xvfb_pid=$!
  for ((i = 0; i < 100; i++)); do
    display="$(head -n1 "$state/display" 2>/dev/null || true)"
    [[ -n "$display" ]] && break
    kill -0 "$xvfb_pid" 2>/dev/null || break
    sleep 0.1
  done
  if [[ -z "$display" ]]; then
    kw_err "Xvfb did not start; its log:"
    cat "$state/xvfb.log" >&2
    return 1
  fi
  export DISPLAY=":$display" GDK_BACKEND=x11
  unset WAYLAND_DISPLAY
}

kw_with_keyring() {
  if (($# == 0)); then
    kw_err "usage: kw_with_keyring CMD [ARGS...]"
    return 2
  fi
  local kr rc=0
  kr="$(mktemp -d "${TMPDIR:-/tmp}/keyward-keyring.XXXXXX")" || return 1
  mkdir -p "$kr/data" "$kr/run" && chmod 700 "$kr/run" || return 1
  (
    trap 'rm -rf "$kr" 2>/dev/null || { sleep 0.5; rm -rf "$kr"; }' EXIT
    trap 'exit 130' INT
    trap 'exit 143' TERM
    # XDG_DATA_HOME: the keyring file goes here, never into ~/.local/share.
    export XDG_DATA_HOME="$kr/data" XDG_RUNTIME_DIR="$kr/run"
    # shellcheck disable=SC2030 # meant for this subshell and its children only
    KEYWARD_TEST_KEYRING_PASSWORD="$(od -An -N18 -tx1 /dev/urandom | tr -d ' \n')"
    export KEYWARD_TEST_KEYRING_PASSWORD
    # Order matters: the bus first, the keyring inside it, any X server inside that (else a
    # locked keyring would wait forever on an unlock prompt nobody can see).
    # shellcheck disable=SC2016 # expanded by the inner bash
    dbus-run-session -- bash -c 'source "$0" && kw__keyring_inside "$@"' "$KW_LIB" "$@"
  ) || rc=$?
  return "$rc"
}

# shellcheck disable=SC2031 # set by kw_with_keyring, inherited through the environment
kw__keyring_inside() {
  printf %s "$KEYWARD_TEST_KEYRING_PASSWORD" |
    gnome-keyring-daemon --unlock --components=secrets >/dev/null || {
    kw_err "gnome-keyring-daemon failed to start"
    return 1
  }
  local i reply
  for ((i = 0; i < 50; i++)); do
    reply="$(dbus-send --session --print-reply=literal --dest=org.freedesktop.DBus \
      /org/freedesktop/DBus org.freedesktop.DBus.NameHasOwner \
      string:org.freedesktop.secrets 2>/dev/null || true)"
    [[ "$reply" == *true* ]] && break
    sleep 0.1
  done
  if [[ "$reply" != *true* ]]; then
    kw_err "private keyring: org.freedesktop.secrets has no owner after 5 s (gnome-keyring-daemon did not come up)"
    return 1
  fi
  # A wrong password still exits 0: check that the default collection really is unlocked.
  if ! reply="$(dbus-send --session --print-reply=literal --dest=org.freedesktop.secrets \
    /org/freedesktop/secrets/aliases/default org.freedesktop.DBus.Properties.Get \
    string:org.freedesktop.Secret.Collection string:Locked 2>&1)"; then
    kw_err "private keyring: no default collection: $reply"
    return 1
  fi
  if [[ "$reply" != *"boolean false"* ]]; then
    kw_err "private keyring: the default collection is locked (Locked = ${reply##* })"
    return 1
  fi
  "$@"
}

# ---------------------------------------------------------------------------------------------
# Display

kw_with_display() {
  if (($# == 0)); then
    kw_err "usage: kw_with_display CMD [ARGS...]"
    return 2
  fi
  if [[ -n "${DISPLAY:-}" ]]; then
    "$@"
  else
    kw__spawn_argv "$@"
    xvfb-run -a -s '-screen 0 1280x800x24' "${KW_ARGV[@]}"
  fi
}
