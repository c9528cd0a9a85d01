#!/usr/bin/env bash
# Installs what is missing, builds, and starts the Keyward desktop app (debug build).
#
#   scripts/run.sh                  on a desktop: the app, with your keychain and data dir
#                                   headless: virtual display, private unlocked keyring,
#                                   throwaway data dir, a screenshot; runs until Ctrl-C
#   scripts/run.sh --headless       the headless set-up even when a desktop is present
#   scripts/run.sh --screenshot-only  headless, take the screenshot, stop (exit 0), or exit
#                                   non-zero when no window appears; used by scripts/test.sh
#   scripts/run.sh --no-build       skip dependency checks and the build (reuse the last build)
#
# KEYWARD_SCREENSHOT  where the headless screenshot goes (default ./keyward-screenshot.png)
# CARGO_TARGET_DIR    cargo's target dir (default: ~/.cache/keyward/target, see scripts/lib.sh)
set -euo pipefail

caller_pwd="$PWD"
cd "$(dirname "$0")/.."
# shellcheck source=scripts/lib.sh
source scripts/lib.sh

usage() { sed -n '2,13s/^# \{0,1\}//p' "$0"; }

headless=0 shot_only=0 build=1 inside=0
for arg in "$@"; do
  case "$arg" in
    --headless) headless=1 ;;
    --screenshot-only) headless=1 shot_only=1 ;;
    --no-build) build=0 ;;
    --inside-session) inside=1 ;; # internal: the half that runs inside the private D-Bus session
    -h | --help) usage && exit 0 ;;
    *) kw_err "unknown argument: $arg" && usage >&2 && exit 2 ;;
  esac
done

# ---------------------------------------------------------------------------------------------
# Inside the private D-Bus session (kw_with_keyring): virtual display, app, screenshot.
# Talks to the outer half through files in $KW_RUN_STATE.
# Global, not local: the EXIT trap runs after inside_session has returned.
app_pid="" xvfb_pid=""
# shellcheck disable=SC2317 # a trap handler
stop_children() {
  local pid i
  for pid in $app_pid $xvfb_pid; do
    kill -TERM "$pid" 2>/dev/null || continue
    for ((i = 0; i < 50; i++)); do
      kill -0 "$pid" 2>/dev/null || break
      sleep 0.1
    done
    kill -KILL "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  done
}

inside_session() {
  local state="$KW_RUN_STATE" app="$KW_RUN_APP" shot="$KW_RUN_SHOT"
  local display="" i

  trap stop_children EXIT
  trap 'exit 143' TERM

  # -displayfd: Xvfb picks a free display number itself (others may be in use) and reports it.
  kw_start_xvfb "$state" || return 1

  [[ -e "$state/stop" ]] && return 130
  "$app" &
  app_pid=$!
  echo "$app_pid" >"$state/app.pid"

  local mapped=0 id
  for ((i = 0; i < 150; i++)); do
    if ! kill -0 "$app_pid" 2>/dev/null; then
      local rc=0
      wait "$app_pid" || rc=$?
      app_pid=""
      kw_err "the app exited (status $rc) before its window appeared"
      return 1
    fi
    [[ -e "$state/stop" ]] && return 130
    # Lines look like:  0x400007 "Keyward": ("keyward" "Keyward")  1024x768+0+0  +0+0
    for id in $(xwininfo -root -tree 2>/dev/null |
      sed -n 's/^ *\(0x[0-9a-f]*\) "[^"]*Keyward[^"]*":.*/\1/p'); do
      if xwininfo -id "$id" 2>/dev/null | grep -q 'Map State: IsViewable'; then
        mapped=1
        break 2
      fi
    done
    sleep 0.2
  done
  if ((!mapped)); then
    kw_err "no window named \"Keyward\" was mapped within 30 s; windows seen:"
    xwininfo -root -tree 2>/dev/null | grep -E '^ +0x' >&2 || true
    return 1
  fi
  sleep 2 # window mapped; give the web view time to paint
  mkdir -p "$(dirname "$shot")"
  if ! import -window root "$shot" || [[ ! -s "$shot" ]]; then
    kw_err "the screenshot failed"
    return 1
  fi

  local cli
  cli="$(dirname "$app")/keyward-cli"
  # shellcheck disable=SC2031 # set by kw_with_keyring for this process
  cat >&2 <<EOF

Keyward is running headless (window mapped).
  screenshot : $shot
  display    : $DISPLAY  (Xvfb 1280x800x24; another shot: DISPLAY=$DISPLAY import -window root shot.png)
  data dir   : $KEYWARD_DATA_DIR  (throwaway, deleted on exit)
  keychain   : a private, unlocked gnome-keyring on a private D-Bus session (deleted on exit)
  watch live : x11vnc -display $DISPLAY -localhost -nopw, then a VNC viewer on localhost:5900
               (x11vnc is not installed by this script)
  CLI against this instance:
    DBUS_SESSION_BUS_ADDRESS='$DBUS_SESSION_BUS_ADDRESS' \\
    XDG_RUNTIME_DIR='$XDG_RUNTIME_DIR' KEYWARD_DATA_DIR='$KEYWARD_DATA_DIR' \\
    $cli status
EOF
  if ((KW_RUN_SHOT_ONLY)); then
    echo "--screenshot-only: stopping the app." >&2
    return 0
  fi
  echo "Press Ctrl-C to stop." >&2
  local rc=0
  wait "$app_pid" || rc=$?
  app_pid=""
  echo "keyward exited with status $rc" >&2
  return "$rc"
}

if ((inside)); then
  inside_session
  exit
fi

# ---------------------------------------------------------------------------------------------
# Outside: dependencies, build, then the app.

if ((build)); then
  kw_deps
  kw_target
  kw_build
else
  kw_target
fi
app="$CARGO_TARGET_DIR/debug/keyward"
if [[ ! -x "$app" ]]; then
  kw_err "$app not found; run without --no-build"
  exit 1
fi

if ((!headless)) && [[ -n "${DISPLAY:-}${WAYLAND_DISPLAY:-}" ]]; then
  kw_say "starting $app"
  exec "$app"
fi

shot="${KEYWARD_SCREENSHOT:-keyward-screenshot.png}"
[[ "$shot" == /* ]] || shot="$caller_pwd/$shot"

state="$(mktemp -d "${TMPDIR:-/tmp}/keyward-run.XXXXXX")"
mkdir -m 700 "$state/data"
export KW_RUN_STATE="$state" KW_RUN_APP="$app" KW_RUN_SHOT="$shot" KW_RUN_SHOT_ONLY="$shot_only"
export KEYWARD_DATA_DIR="$state/data"
trap 'rm -rf "$state"' EXIT

# The session runs as a background job so that this shell can take Ctrl-C / SIGTERM and pass it
# on as SIGTERM to the app (background jobs ignore SIGINT); the inner half then stops Xvfb, the
# bus and the keyring go away, and kw_with_keyring deletes their temp dirs.
signals=0
# shellcheck disable=SC2317 # a trap handler
forward() {
  signals=$((signals + 1))
  touch "$state/stop"
  local pid
  pid="$(cat "$state/app.pid" 2>/dev/null || true)"
  if [[ -n "$pid" ]]; then
    if ((signals > 1)); then kill -KILL "$pid" 2>/dev/null || true; else kill -TERM "$pid" 2>/dev/null || true; fi
  fi
}
trap forward INT TERM

kw_say "starting $app headless"
kw_with_keyring bash scripts/run.sh --inside-session &
session=$!
# wait also returns (status > 128) when a trapped signal arrives: keep waiting for the job.
while kill -0 "$session" 2>/dev/null; do
  wait "$session" || true
done
rc=0
wait "$session" || rc=$?
exit "$rc"
