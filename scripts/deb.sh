#!/usr/bin/env bash
# Builds the Debian package and checks it: in ui/ (where @tauri-apps/cli is a dev dependency),
# `TAURI_APP_PATH=../src-tauri npx tauri build --bundles deb` builds the UI, the app and
# keyward-cli in release and bundles them. (TAURI_APP_PATH: the CLI looks for the Tauri project
# below the folder it runs in, and the project is ui/'s sibling.) Then `dpkg-deb -c` must list both binaries, the icons and the desktop entry,
# and the entry must declare the keyward:// handler.
#
#   scripts/deb.sh              build and check; prints the .deb's path
#   scripts/deb.sh --install    also install it with dpkg (root or sudo), check the installed
#                               files and `keyward-cli --version`, then remove it again
#
# A cold release build (app, then CLI) takes about 20 minutes on 2 cores, so CI does not run
# this (it would push a cold CI run past 45 minutes); run it before a release.
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=scripts/lib.sh
source scripts/lib.sh

install=0
for arg in "$@"; do
  case "$arg" in
    --install) install=1 ;;
    -h | --help) sed -n '2,14s/^# \{0,1\}//p' "$0" && exit 0 ;;
    *) kw_err "unknown argument: $arg" && exit 2 ;;
  esac
done

kw_deps
kw_target
kw_say "(ui/) TAURI_APP_PATH=../src-tauri npx tauri build --bundles deb"
(cd ui && TAURI_APP_PATH=../src-tauri npx tauri build --bundles deb)

version="$(node -p 'require("./src-tauri/tauri.conf.json").version')"
deb="$(ls -t "$CARGO_TARGET_DIR"/release/bundle/deb/Keyward_"${version}"_*.deb | head -1)"
kw_say "checking $deb"
listing="$(dpkg-deb -c "$deb")"
fail=0
for path in usr/bin/keyward usr/bin/keyward-cli usr/share/applications/Keyward.desktop \
  usr/share/icons/hicolor/128x128/apps/keyward.png; do
  if ! grep -Eq " (\./)?${path}\$" <<<"$listing"; then
    kw_err "the package lacks $path"
    fail=1
  fi
done
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
dpkg-deb -x "$deb" "$tmp"
entry="$tmp/usr/share/applications/Keyward.desktop"
if ! grep -Eq '^MimeType=(.*;)?x-scheme-handler/keyward(;|$)' "$entry" ||
  ! grep -Eq '^Exec=.* %[uU]$' "$entry"; then
  kw_err "the desktop entry does not hand keyward:// URLs to the app (MimeType, Exec %u):"
  cat "$entry" >&2
  fail=1
fi
if grep -q 'x-scheme-handler/simplewallet' "$entry"; then
  kw_err "the desktop entry declares simplewallet:// (it must stay a run-time setting)"
  fail=1
fi
((fail == 0)) || exit 1
"$tmp/usr/bin/keyward-cli" --version

if ((install)); then
  sudo=()
  [[ "$(id -u)" -eq 0 ]] || sudo=(sudo)
  kw_say "dpkg -i $deb"
  "${sudo[@]}" dpkg -i "$deb"
  /usr/bin/keyward-cli --version
  test -x /usr/bin/keyward
  grep -q 'x-scheme-handler/keyward' /usr/share/applications/Keyward.desktop
  kw_say "dpkg -r keyward"
  "${sudo[@]}" dpkg -r keyward
fi
kw_say "ok: $deb"
echo "$deb"
