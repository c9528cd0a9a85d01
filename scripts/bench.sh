#!/usr/bin/env bash
# Benchmarks: signing in process (criterion; P-256 against `openssl speed`, secp256k1 against
# libsecp256k1 through Python's coincurve), `jwt mint` as a whole process against the seed's node
# jsonwebtoken script, whole-process CLI timings without and with an agent (hyperfine), the desktop app's
# start-up to its window and to its painted unlock screen, the app's idle memory (PSS), both also
# as ratios to a hello-world Tauri window started on the same display (bench/hello-tauri), and the
# app with a large vault: IPC, search and list rendering, timed inside the page
# (tests/tests/gui_bench.rs, driven through WebKitWebDriver).
#
#   scripts/bench.sh                builds keyward-cli (release; dev too, for the GUI benchmark's
#                                   key generation), the app and hello-tauri (dev profile), runs
#   scripts/bench.sh --release-app  ...the app and hello-tauri in the release profile instead
#                                   (7+ min on 2 cores)
#   scripts/bench.sh --no-build     reuse the last builds
#
# Installs hyperfine and x11-apps (xwd) when missing; waits while another cargo/rustc runs. Then
# everything runs on a private, unlocked gnome-keyring (a private D-Bus session), throwaway data
# dirs and a virtual display of its own (Xvfb 1280x800x24). Prints a markdown summary on stdout
# and keeps it, the hyperfine exports, per-run timings and screenshots in
# $CARGO_TARGET_DIR/bench/<UTC timestamp>/. BENCHMARKS.md explains what is measured and how.
#
# KW_BENCH_CONTENT_COLOURS  distinct colours from which the window shows content (default 100)
# KW_BENCH_UNLOCK_COLOURS   ...from which the unlock screen counts as painted (default 500)
# KW_BENCH_HELLO_COLOURS    ...from which the hello-world Tauri page counts as painted (default 100)
# KW_BENCH_APP_RUNS         app start-ups to time, of Keyward and of hello-tauri each (default 5)
# KW_BENCH_MANY             keys in the large vault for the `key list` timing (default 1000)
# KW_BENCH_STEPS            which parts to run, of "cli many app gui sign jwt endpoint prompt" (default: all)
# KW_BENCH_ENDPOINT_REQUESTS pre-signed requests per wrk run (default 90000; the endpoint keeps 100000 nonces)
# KW_BENCH_KEYS             keys in the vault of the GUI benchmark (default 1000)
set -euo pipefail

cd "$(dirname "$0")/.."
# shellcheck source=scripts/lib.sh
source scripts/lib.sh

usage() { sed -n '2,/^set -euo/s/^# \{0,1\}//p' "$0"; }

release_app=0 build=1 inside=0
for arg in "$@"; do
  case "$arg" in
    --release-app) release_app=1 ;;
    --no-build) build=0 ;;
    --inside-session) inside=1 ;; # internal: the half that runs inside the private keyring
    -h | --help) usage && exit 0 ;;
    *) kw_err "unknown argument: $arg (try --help)" && exit 2 ;;
  esac
done

CONTENT_COLOURS="${KW_BENCH_CONTENT_COLOURS:-100}"
UNLOCK_COLOURS="${KW_BENCH_UNLOCK_COLOURS:-500}"
HELLO_COLOURS="${KW_BENCH_HELLO_COLOURS:-100}"
APP_RUNS="${KW_BENCH_APP_RUNS:-5}"
HAVE_XWD=0
if command -v xwd >/dev/null 2>&1; then HAVE_XWD=1; fi

# ---------------------------------------------------------------------------------------------
# Small helpers

# Microseconds since the epoch, into NOW (no subshell: cheap enough for a polling loop).
now() { NOW="${EPOCHREALTIME/[.,]/}"; }

# Whole milliseconds from microseconds.
us_ms() { awk -v u="$1" 'BEGIN { printf "%.0f", u / 1000 }'; }

# Median, min and max of the numbers on stdin: "median min max".
stats() {
  sort -n | awk '{ v[NR] = $1 } END {
    if (NR == 0) { print "- - -"; exit }
    m = (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
    printf "%.0f %.0f %.0f\n", m, v[1], v[NR] }'
}

md() { printf '%s\n' "$@" >>"$KW_BENCH_OUT/summary.md"; }

# Waits while someone else's cargo or rustc runs: two heavy builds at once on two cores help
# nobody, and the target dir may be shared.
wait_for_cargo() {
  local waited=0
  while pgrep -x 'cargo|rustc' >/dev/null; do
    if ((waited == 0)); then kw_say "waiting for another cargo/rustc run to finish"; fi
    sleep 5
    waited=$((waited + 5))
  done
}

# ---------------------------------------------------------------------------------------------
# Inside the private D-Bus session: CLI, then app. Talks to the outer half through files.

agent_pid="" app_pid="" xvfb_pid="" analyser_pid=""

# The app that start_app launches and how it is found and timed, set by `use_app keyward|hello`:
#   APP_BIN       the binary start_app spawns
#   WIN_NAME      part of its window's name (in a sed regex: find_window)
#   CONTENT_AT    distinct colours from which a screenshot shows content
#   PAINTED_AT    ...from which its first screen counts as painted (the timing stops there)
#   PAINTED_NAME  the painted frame's name in $KW_BENCH_OUT/frames; PAINTED_WHAT, in messages
#   APP_TAG       prefix of its per-run files (logs, frames, the starts list)
use_app() {
  case "$1" in
    keyward)
      APP_BIN="${KW_BENCH_APP:-}" WIN_NAME="Keyward" APP_TAG=""
      CONTENT_AT="$CONTENT_COLOURS" PAINTED_AT="$UNLOCK_COLOURS"
      PAINTED_NAME="unlock" PAINTED_WHAT="the unlock screen"
      ;;
    hello) # one page, no splash: content and painted are one threshold
      APP_BIN="${KW_BENCH_HELLO:-}" WIN_NAME="Hello Tauri" APP_TAG="hello-"
      CONTENT_AT="$HELLO_COLOURS" PAINTED_AT="$HELLO_COLOURS"
      PAINTED_NAME="painted" PAINTED_WHAT="the hello-world page"
      ;;
    *) kw_err "use_app: unknown app $1" && return 1 ;;
  esac
}
use_app keyward

# stop PID: SIGTERM, wait up to 10 s, then SIGKILL.
stop() {
  local pid="$1" i
  [[ -n "$pid" ]] || return 0
  kill -TERM "$pid" 2>/dev/null || return 0
  for ((i = 0; i < 100; i++)); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  kill -KILL "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
}

# shellcheck disable=SC2317 # a trap handler
cleanup() {
  stop "$analyser_pid"
  stop "$app_pid"
  stop "$agent_pid"
  stop "$xvfb_pid"
}

hf() { hyperfine --style basic -N "$@" >&2; }

# CSV row of a hyperfine export by command name: "mean stddev min max" in ms.
hf_row() {
  awk -F, -v name="$2" 'NR > 1 && $1 == name {
    printf "%.1f %.1f %.1f %.1f\n", $2 * 1000, $3 * 1000, $7 * 1000, $8 * 1000 }' "$1"
}

bench_cli() {
  local out="$KW_BENCH_OUT" state="$KW_BENCH_STATE" cli="$KW_BENCH_CLI" i id qcli
  export KEYWARD_DATA_DIR="$state/cli-data" KEYWARD_PASSPHRASE_FILE="$state/passphrase"
  mkdir -m 700 "$KEYWARD_DATA_DIR"
  (umask 077 && od -An -N24 -tx1 /dev/urandom | tr -d ' \n' >"$KEYWARD_PASSPHRASE_FILE")

  kw_say "CLI: init, 20 keys (each unlocks the vault: Argon2id per call)"
  "$cli" init >&2
  for ((i = 1; i <= 20; i++)); do
    # "Generated p256 <id> (<label>, <fingerprint>)"; the last one is the key to export
    id="$("$cli" key gen --alg p256 --label "bench-$i" | awk '{ print $3 }')"
  done
  [[ "$("$cli" key export "$id" --format pem)" == *"BEGIN PUBLIC KEY"* ]]
  [[ "$("$cli" key export-private "$id" --format pem --yes)" == *"PRIVATE KEY"* ]]
  local nkeys
  nkeys="$("$cli" key list | grep -c bench- || true)"

  qcli="$(printf %q "$cli")"
  local list="$qcli key list" export="$qcli key export $id --format pem"
  local priv="$qcli key export-private $id --format pem --yes"

  kw_say "CLI without an agent"
  echo "load before CLI runs: $(cut -d' ' -f1-3 /proc/loadavg)" >>"$state/load"
  hf --warmup 3 --runs 30 \
    --export-markdown "$out/cli-no-agent-public.md" --export-json "$out/cli-no-agent-public.json" \
    --export-csv "$state/na-pub.csv" \
    -n 'key list' "$list" -n 'key export' "$export"
  hf --warmup 1 --runs 10 \
    --export-markdown "$out/cli-no-agent-private.md" --export-json "$out/cli-no-agent-private.json" \
    --export-csv "$state/na-priv.csv" \
    -n 'key export-private' "$priv"

  kw_say "CLI with an agent"
  "$cli" --json agent >"$state/agent.out" 2>"$state/agent.err" &
  agent_pid=$!
  for ((i = 0; i < 300; i++)); do
    grep -q '"ready"' "$state/agent.out" 2>/dev/null && break
    if ! kill -0 "$agent_pid" 2>/dev/null; then
      kw_err "the agent exited before it was ready:"
      cat "$state/agent.err" >&2
      return 1
    fi
    sleep 0.1
  done
  if ! grep -q '"ready"' "$state/agent.out"; then
    kw_err "the agent printed no ready line within 30 s"
    return 1
  fi
  "$cli" status >&2
  hf --warmup 3 --runs 30 \
    --export-markdown "$out/cli-agent.md" --export-json "$out/cli-agent.json" \
    --export-csv "$state/ag.csv" \
    -n 'key list' "$list" -n 'key export' "$export" -n 'key export-private' "$priv"
  kill -TERM "$agent_pid"
  local rc=0
  wait "$agent_pid" || rc=$?
  agent_pid=""
  if ((rc != 0)); then
    kw_err "the agent exited with status $rc after SIGTERM"
    return 1
  fi
  echo "load after CLI runs: $(cut -d' ' -f1-3 /proc/loadavg)" >>"$state/load"

  md "## CLI: whole process, ${nkeys} keys in the vault" ""
  md "\`hyperfine -N\`; without an agent: \`key list\` and \`key export\` 3 warm-ups + 30 runs," \
    "\`key export-private\` 1 + 10; with the agent: 3 + 30 each. Times in ms." ""
  md "| command | no agent: mean ± σ | min | max | agent: mean ± σ | min | max | speed-up |"
  md "|---|---|---|---|---|---|---|---|"
  local name csv a b
  for name in 'key list' 'key export' 'key export-private'; do
    csv="$state/na-pub.csv"
    [[ "$name" == 'key export-private' ]] && csv="$state/na-priv.csv"
    read -r -a a <<<"$(hf_row "$csv" "$name")"
    read -r -a b <<<"$(hf_row "$state/ag.csv" "$name")"
    md "| \`$name\` | ${a[0]} ± ${a[1]} | ${a[2]} | ${a[3]} | ${b[0]} ± ${b[1]} | ${b[2]} | ${b[3]} | $(awk -v x="${a[0]}" -v y="${b[0]}" 'BEGIN { printf "%.1f×", x / y }') |"
  done
  md ""
  unset KEYWARD_DATA_DIR KEYWARD_PASSPHRASE_FILE
}

# Pids of $1 and all its descendants (walks the ppid field of /proc/*/stat), breadth first.
process_tree() {
  local f line pid ppid rest p
  local -A kids=()
  for f in /proc/[0-9]*/stat; do
    { read -r line <"$f"; } 2>/dev/null || continue
    pid="${line%% *}"
    rest="${line##*) }" # comm may hold spaces and parentheses: cut after the last ")"
    read -r _ ppid _ <<<"$rest"
    kids[$ppid]+=" $pid"
  done
  local -a queue=("$1")
  while ((${#queue[@]})); do
    p="${queue[0]}"
    queue=("${queue[@]:1}")
    printf '%s\n' "$p"
    # shellcheck disable=SC2206 # word splitting wanted
    queue+=(${kids[$p]:-})
  done
}

# The first mapped (viewable) window whose name holds WIN_NAME ("Keyward"), into WIN; 1 when none.
find_window() {
  local id
  # Lines look like:  0x400003 "Keyward": ("keyward" "Keyward")  1000x700+0+0  +0+0
  for id in $(xwininfo -root -tree 2>/dev/null |
    sed -n "s/^ *\\(0x[0-9a-f]*\\) \"[^\"]*${WIN_NAME}[^\"]*\":.*/\\1/p"); do
    if xwininfo -id "$id" 2>/dev/null | grep -q 'Map State: IsViewable'; then
      WIN="$id"
      return 0
    fi
  done
  return 1
}

# capture FILE: a screenshot of window WIN. xwd (raw, ~10 ms) when there is one, else ImageMagick's
# import (PNG, ~100 ms: most of it ImageMagick's start-up).
capture() {
  if ((HAVE_XWD)); then
    xwd -id "$WIN" -silent -out "$1"
  else
    import -silent -window "$WIN" -quality 10 "png:$1"
  fi
}
frame_fmt() { if ((HAVE_XWD)); then echo xwd; else echo png; fi; }

# Counts the colours of the frames listed in $1/queue as they come, niced (it must not take CPU
# from the app it measures): writes "n colours" lines to $1/colours, keeps the first frame with
# at least CONTENT_AT colours as content.png (when CONTENT_AT < PAINTED_AT), the first with at
# least PAINTED_AT as painted.png and the one before it as before-painted.png, deletes the
# others, and touches $1/done at the painted screen. Gives up when $1/stop appears.
analyse_frames() {
  local dir="$1" fmt i=1 n prev="" k content=0
  fmt="$(frame_fmt)"
  while :; do
    n="$(sed -n "${i}p" "$dir/queue" 2>/dev/null || true)"
    if [[ -n "$n" ]]; then
      k="$(identify -format '%k' "$fmt:$dir/$n.$fmt" 2>/dev/null || true)"
      k="${k:-0}"
      echo "$n $k" >>"$dir/colours"
      if ((!content && CONTENT_AT < PAINTED_AT && k >= CONTENT_AT)); then
        convert "$fmt:$dir/$n.$fmt" "png:$dir/content.png"
        content=1
      fi
      if ((k >= PAINTED_AT)); then
        convert "$fmt:$dir/$n.$fmt" "png:$dir/painted.png"
        if [[ -n "$prev" ]]; then
          convert "$fmt:$dir/$prev.$fmt" "png:$dir/before-painted.png"
        fi
        touch "$dir/done"
        return 0
      fi
      if [[ -n "$prev" ]]; then rm -f "$dir/$prev.$fmt"; fi
      prev="$n"
      i=$((i + 1))
    elif [[ -e "$dir/stop" ]]; then
      return 0
    else
      sleep 0.02
    fi
  done
}

# start_app RUN: spawns APP_BIN, times the window mapped and the painted frames; leaves the app
# running (app_pid). Appends "run mapped_us content_us painted_us frames mean_interval_us" to
# $state/${APP_TAG}starts (for Keyward, painted is the unlock screen).
start_app() {
  local run="$1" state="$KW_BENCH_STATE" out="$KW_BENCH_OUT"
  local dir="$state/${APP_TAG}frames-$run" log="${APP_TAG}app-$run.log"
  local t0 mapped n=0 t0cap next rem fmt last=""
  fmt="$(frame_fmt)"
  mkdir -p "$dir"
  : >"$dir/queue"
  WIN=""
  now
  t0="$NOW"
  "$APP_BIN" >"$state/$log" 2>&1 &
  app_pid=$!
  while ! find_window; do
    now
    if ! kill -0 "$app_pid" 2>/dev/null || ((NOW - t0 > 60000000)); then
      kw_err "run $run: no $WIN_NAME window mapped; the app's log is in $out/$log"
      cp "$state/$log" "$out/" || true
      grep -m1 -A2 panicked "$state/$log" >&2 || tail -n 5 "$state/$log" >&2 || true
      if ! kill -0 "$xvfb_pid" 2>/dev/null; then kw_err "...and our Xvfb is gone"; fi
      return 1
    fi
    sleep 0.02
  done
  now
  mapped=$((NOW - t0))

  # A screenshot every 50 ms (or as fast as they come). A frame equal to the one before is
  # dropped at once (cmp); the others go to a niced background job that counts their colours.
  (
    renice -n 19 -p "$BASHPID" >/dev/null
    analyse_frames "$dir"
  ) &
  analyser_pid=$!
  t0cap="$NOW"
  next="$NOW"
  while [[ ! -e "$dir/done" ]]; do
    now
    if ((NOW - t0 > 60000000)) || ! kill -0 "$app_pid" 2>/dev/null; then
      kw_err "run $run: $PAINTED_WHAT was not painted within 60 s"
      touch "$dir/stop"
      return 1
    fi
    if capture "$dir/tmp.$fmt" 2>/dev/null; then
      now
      n=$((n + 1))
      if [[ -n "$last" ]] && cmp -s "$dir/tmp.$fmt" "$dir/last.$fmt"; then
        echo "$n $((NOW - t0)) $last" >>"$dir/times" # same pixels as frame $last
      else
        mv "$dir/tmp.$fmt" "$dir/$n.$fmt"
        ln -f "$dir/$n.$fmt" "$dir/last.$fmt" # the analyser deletes $n.$fmt, not this link
        last="$n"
        echo "$n $((NOW - t0)) $n" >>"$dir/times"
        echo "$n" >>"$dir/queue"
      fi
    fi
    next=$((next + 50000))
    now
    rem=$((next - NOW))
    if ((rem > 0)); then sleep "$(printf '0.%06d' "$rem")"; else next="$NOW"; fi
  done
  local interval=$(((NOW - t0cap) / (n > 0 ? n : 1)))
  touch "$dir/stop"
  wait "$analyser_pid" || true
  analyser_pid=""

  # The first frame over each threshold.
  local content painted cf pf
  cf="$(awk -v t="$CONTENT_AT" '$2 >= t { print $1; exit }' "$dir/colours")"
  pf="$(awk -v t="$PAINTED_AT" '$2 >= t { print $1; exit }' "$dir/colours")"
  content="$(awk -v f="$cf" '$1 == f { print $2 }' "$dir/times")"
  painted="$(awk -v f="$pf" '$1 == f { print $2 }' "$dir/times")"
  mkdir -p "$out/frames"
  local f
  for f in content painted before-painted; do
    if [[ -e "$dir/$f.png" ]]; then
      cp "$dir/$f.png" "$out/frames/${APP_TAG}run$run-${f/painted/$PAINTED_NAME}.png"
    fi
  done
  # "frame ms colours same-as" (frames taken after the painted screen was seen have no count)
  awk 'NR == FNR { k[$1] = $2; next }
    { printf "%s %.0f %s %s\n", $1, $2 / 1000, ($3 in k) ? k[$3] : "-", $3 }' \
    "$dir/colours" "$dir/times" >"$out/frames/${APP_TAG}run$run-frames.txt"
  rm -rf "$dir"
  echo "$run $mapped $content $painted $n $interval" >>"$state/${APP_TAG}starts"
}

stop_app() {
  local -a tree
  mapfile -t tree < <(process_tree "$app_pid")
  stop "$app_pid"
  app_pid=""
  local pid i
  for pid in "${tree[@]}"; do # WebKit's helpers leave when the app does
    for ((i = 0; i < 50; i++)); do
      kill -0 "$pid" 2>/dev/null || break
      sleep 0.1
    done
  done
}

# Starts the app of use_app: one warm-up (reported apart, not in the median; for the first app,
# with empty caches: it fills Mesa's shader cache under XDG_CACHE_HOME, seconds on llvmpipe),
# then APP_RUNS timed starts, SIGTERM between them. $1 names the app in the progress lines, $2
# (optional) qualifies its warm-up.
time_starts() {
  local i
  kw_say "$1 start-up, warm-up${2:+ ($2)}"
  start_app warmup
  stop_app
  sleep 1
  for ((i = 1; i <= APP_RUNS; i++)); do
    kw_say "$1 start-up, run $i/$APP_RUNS"
    start_app "$i"
    stop_app
    sleep 1
  done
}

# Starts the app of use_app, waits for its painted screen, 10 s idle, then writes
# "pid name rss_kib pss_kib" for it and each of its descendants to $1, and stops it.
idle_memory() {
  local pid name rss pss
  start_app mem
  sleep 10
  : >"$1"
  while read -r pid; do
    [[ -r "/proc/$pid/smaps_rollup" ]] || continue
    name="$(tr '\0' '\n' <"/proc/$pid/cmdline" 2>/dev/null | head -n1)"
    name="${name##*/}"
    read -r rss pss < <(awk '/^Rss:/ { r = $2 } /^Pss:/ { p = $2 } END { print r + 0, p + 0 }' \
      "/proc/$pid/smaps_rollup")
    echo "$pid ${name:-?} $rss $pss" >>"$1"
  done < <(process_tree "$app_pid")
  stop_app
}

bench_app() {
  local out="$KW_BENCH_OUT" state="$KW_BENCH_STATE" i

  # A vault with a passphrase, so that the app opens on its unlock screen.
  export KEYWARD_DATA_DIR="$state/app-data" KEYWARD_PASSPHRASE_FILE="$state/passphrase"
  mkdir -m 700 "$KEYWARD_DATA_DIR"
  [[ -s "$KEYWARD_PASSPHRASE_FILE" ]] || # bench_cli makes it; not when it is not among the steps
    (umask 077 && od -An -N24 -tx1 /dev/urandom | tr -d ' \n' >"$KEYWARD_PASSPHRASE_FILE")
  "$KW_BENCH_CLI" init >&2
  unset KEYWARD_PASSPHRASE_FILE
  # WebKit's caches and settings go to the throwaway dir too, not to ~/.cache.
  export XDG_CACHE_HOME="$state/cache" XDG_CONFIG_HOME="$state/config"

  # Our own X server: -displayfd picks a free display number and reports it.
  kw_start_xvfb "$state" || return 1
  # (kw_start_xvfb runs it with -noreset: the window polling's short connections would
  # otherwise reset it between two clients and make an app start fail in gtk_init.)

  echo "load before app runs: $(cut -d' ' -f1-3 /proc/loadavg)" >>"$state/load"
  use_app keyward
  time_starts app "empty caches"
  kw_say "app idle memory: start, wait for the unlock screen, 10 s idle"
  idle_memory "$state/mem"
  cp "$state/mem" "$out/app-memory.txt"
  echo "load after app runs: $(cut -d' ' -f1-3 /proc/loadavg)" >>"$state/load"
  cp "$state/starts" "$out/app-startup.txt"

  # The same for the hello-world Tauri window (bench/hello-tauri, same profile), on the same
  # display with the same (now warm) XDG_CACHE_HOME; its own warm-up fills what is its own.
  sleep 1
  echo "load before hello-tauri runs: $(cut -d' ' -f1-3 /proc/loadavg)" >>"$state/load"
  use_app hello
  time_starts hello-tauri
  kw_say "hello-tauri idle memory: start, wait for the page, 10 s idle"
  idle_memory "$state/hello-mem"
  cp "$state/hello-mem" "$out/hello-memory.txt"
  echo "load after hello-tauri runs: $(cut -d' ' -f1-3 /proc/loadavg)" >>"$state/load"
  cp "$state/hello-starts" "$out/hello-startup.txt"
  use_app keyward

  # Summary.
  local -a r
  md "## App start-up to the unlock screen ($KW_BENCH_APP_PROFILE build)" ""
  md "Time from spawn to: the window mapped (\`xwininfo\`, polled every 20 ms); the first" \
    "screenshot with at least $CONTENT_COLOURS distinct colours (content: the \"Opening vault\"" \
    "splash); the first with at least $UNLOCK_COLOURS (the unlock screen painted). Screenshots" \
    "of the window (\`$(if ((HAVE_XWD)); then echo xwd; else echo import; fi)\`) every 50 ms or as fast as they come;" \
    "the time is when the screenshot was complete. One warm-up start (empty caches, in a fresh" \
    "XDG_CACHE_HOME), then $APP_RUNS timed starts; the app gets SIGTERM between starts." ""
  md "| run | window mapped (ms) | first content (ms) | unlock screen painted (ms) | screenshots | mean screenshot interval (ms) |"
  md "|---|---|---|---|---|---|"
  while read -r -a r; do
    case "${r[0]}" in
      mem) continue ;;
      warmup) r[0]="warm-up (empty caches, not in the median)" ;;
    esac
    md "| ${r[0]} | $(us_ms "${r[1]}") | $(us_ms "${r[2]}") | $(us_ms "${r[3]}") | ${r[4]} | $(us_ms "${r[5]}") |"
  done <"$state/starts"
  local s1 s2 s3
  col() { grep -Ev '^(mem|warmup) ' "$state/starts" | awk -v c="$1" '{ print $c / 1000 }' | stats; }
  read -r -a s1 <<<"$(col 2)"
  read -r -a s2 <<<"$(col 3)"
  read -r -a s3 <<<"$(col 4)"
  md "| **median** | **${s1[0]}** | **${s2[0]}** | **${s3[0]}** | | |"
  md "| min–max | ${s1[1]}–${s1[2]} | ${s2[1]}–${s2[2]} | ${s3[1]}–${s3[2]} | | |" ""

  md "## App idle memory, 10 s after the unlock screen was painted" ""
  md "Summed over the app and all its descendants (\`/proc/<pid>/smaps_rollup\`). MiB." ""
  md "| process | PSS | RSS |" "|---|---|---|"
  local tp=0 tr=0
  while read -r pid name rss pss; do
    md "| $name | $(awk -v k="$pss" 'BEGIN { printf "%.1f", k / 1024 }') | $(awk -v k="$rss" 'BEGIN { printf "%.1f", k / 1024 }') |"
    tp=$((tp + pss))
    tr=$((tr + rss))
  done <"$state/mem"
  md "| **total** ($(wc -l <"$state/mem") processes) | **$(awk -v k="$tp" 'BEGIN { printf "%.1f", k / 1024 }')** | **$(awk -v k="$tr" 'BEGIN { printf "%.1f", k / 1024 }')** |" ""

  # Against the hello-world Tauri window: medians of the timed runs, PSS totals.
  local h1 h3 htp hn
  hcol() { grep -Ev '^(mem|warmup) ' "$state/hello-starts" | awk -v c="$1" '{ print $c / 1000 }' | stats; }
  read -r -a h1 <<<"$(hcol 2)"
  read -r -a h3 <<<"$(hcol 4)"
  htp="$(awk '{ t += $4 } END { print t + 0 }' "$state/hello-mem")"
  hn="$(wc -l <"$state/hello-mem")"
  mib() { awk -v k="$1" 'BEGIN { printf "%.1f", k / 1024 }'; }
  times_of() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f×", a / b; else print "-" }'; }
  goal_met() { awk -v a="$1" -v b="$2" 'BEGIN { if (b <= 0) print "-"; else if (a / b <= 1.2) print "met"; else print "not met" }'; }
  md "## Against a hello-world Tauri window ($KW_BENCH_APP_PROFILE builds)" ""
  md "bench/hello-tauri: the default Tauri builder, no plugins, one static page (a heading and a" \
    "paragraph on a gradient) embedded like Keyward's UI, a 1000×700 window, built in the same" \
    "profile and started on the same display right after Keyward's runs, timed the same way: one" \
    "warm-up, then $APP_RUNS timed starts; its first screen counts as painted from the first" \
    "screenshot with at least $HELLO_COLOURS distinct colours (Keyward's: its unlock screen, at" \
    "least $UNLOCK_COLOURS). Idle PSS 10 s after the painted screen, summed over the app's" \
    "process tree ($(wc -l <"$state/mem") processes for Keyward, $hn for hello-tauri). Medians in ms." ""
  md "| metric | Keyward | hello-world Tauri | ratio | goal (≤ 1.2×) |" "|---|---|---|---|---|"
  md "| median cold start to first screen painted (ms) | ${s3[0]} | ${h3[0]} | $(times_of "${s3[0]}" "${h3[0]}") | $(goal_met "${s3[0]}" "${h3[0]}") |"
  md "| median window mapped (ms) | ${s1[0]} | ${h1[0]} | $(times_of "${s1[0]}" "${h1[0]}") | (not a goal) |"
  md "| idle PSS total (MiB) | $(mib "$tp") | $(mib "$htp") | $(times_of "$tp" "$htp") | $(goal_met "$tp" "$htp") |" ""
  md "hello-tauri, painted: min–max ${h3[1]}–${h3[2]} ms, warm-up" \
    "$(awk '$1 == "warmup" { printf "%.0f", $4 / 1000 }' "$state/hello-starts") ms; window mapped: min–max" \
    "${h1[1]}–${h1[2]} ms. Per run: hello-startup.txt, per process: hello-memory.txt." ""
}

# A vault of KW_BENCH_MANY keys (default 1000), made through an agent (no Argon2id per key):
# `key list` as a whole process, with and without the agent. Listing reads the index only.
bench_many() {
  local state="$KW_BENCH_STATE" cli="$KW_BENCH_CLI" n="${KW_BENCH_MANY:-1000}" i pid
  export KEYWARD_DATA_DIR="$state/many-data" KEYWARD_PASSPHRASE_FILE="$state/passphrase"
  mkdir -m 700 "$KEYWARD_DATA_DIR"
  "$cli" init >&2
  "$cli" --json agent >"$state/many-agent.out" 2>"$state/many-agent.err" &
  pid=$!
  for ((i = 0; i < 300; i++)); do
    grep -q '"ready"' "$state/many-agent.out" 2>/dev/null && break
    sleep 0.1
  done
  grep -q '"ready"' "$state/many-agent.out" || { kw_err "agent not ready"; return 1; }
  kw_say "CLI: $n keys through the agent (4 at a time)"
  local t0 t1
  now
  t0=$NOW
  seq 1 "$n" | xargs -P 4 -I{} "$cli" key gen --alg p256 --label "many-{}" --tag bench >/dev/null
  now
  t1=$NOW
  local count
  count="$("$cli" --json key list | grep -o '"id"' | wc -l)"
  [[ "$count" == "$n" ]] || { kw_err "expected $n keys, listed $count"; return 1; }
  local qcli list listj
  qcli="$(printf %q "$cli")"
  list="$qcli key list"
  listj="$qcli --json key list"
  hf --warmup 3 --runs 30 --export-json "$KW_BENCH_OUT/many-agent.json" \
    --export-csv "$state/many-ag.csv" -n 'key list' "$list" -n 'key list --json' "$listj" \
    -n 'key list --tag bench' "$qcli key list --tag bench"
  kill -TERM "$pid"
  wait "$pid" || true
  hf --warmup 3 --runs 30 --export-json "$KW_BENCH_OUT/many-no-agent.json" \
    --export-csv "$state/many-na.csv" -n 'key list' "$list" -n 'key list --json' "$listj"
  local a b c d e
  read -r -a a <<<"$(hf_row "$state/many-ag.csv" 'key list')"
  read -r -a b <<<"$(hf_row "$state/many-ag.csv" 'key list --json')"
  read -r -a e <<<"$(hf_row "$state/many-ag.csv" 'key list --tag bench')"
  read -r -a c <<<"$(hf_row "$state/many-na.csv" 'key list')"
  read -r -a d <<<"$(hf_row "$state/many-na.csv" 'key list --json')"
  md "## CLI: \`key list\` with $n keys in the vault" ""
  md "Generating the $n keys through the agent, 4 processes at a time, took $(us_ms $((t1 - t0))) ms." \
    "\`hyperfine -N\`, 3 warm-ups + 30 runs; ms. Goal: ≤ 50 ms with the agent." ""
  md "| command | agent: mean ± σ | min | max | no agent: mean ± σ | min | max |" "|---|---|---|---|---|---|---|"
  md "| \`key list\` | ${a[0]} ± ${a[1]} | ${a[2]} | ${a[3]} | ${c[0]} ± ${c[1]} | ${c[2]} | ${c[3]} |"
  md "| \`key list --json\` | ${b[0]} ± ${b[1]} | ${b[2]} | ${b[3]} | ${d[0]} ± ${d[1]} | ${d[2]} | ${d[3]} |"
  md "| \`key list --tag bench\` | ${e[0]} ± ${e[1]} | ${e[2]} | ${e[3]} | | | |" ""
  unset KEYWARD_DATA_DIR KEYWARD_PASSPHRASE_FILE
}

# The app with KW_BENCH_KEYS keys (default 1000): tests/tests/gui_bench.rs makes the vault (its own
# keyring and data dir), drives the app through WebKitWebDriver on our Xvfb and times the
# `key_list` IPC, search and list rendering inside the page; it writes gui-bench.json and
# gui-bench.md (the table) to $KW_BENCH_OUT.
bench_gui() {
  local out="$KW_BENCH_OUT" state="$KW_BENCH_STATE"
  if [[ -z "${DISPLAY:-}" ]]; then kw_start_xvfb "$state" || return 1; fi
  kw_say "app with ${KW_BENCH_KEYS:-1000} keys: IPC, search, list rendering (tests/tests/gui_bench.rs)"
  echo "load before the GUI benchmark: $(cut -d' ' -f1-3 /proc/loadavg)" >>"$state/load"
  KEYWARD_ARTIFACTS_DIR="$out" KEYWARD_APP="$KW_BENCH_APP" \
    cargo test -p keyward-tests --test integration -- gui_bench:: --ignored --nocapture 2>&1 |
    tee "$out/gui-bench.log" >&2
  md "## App with ${KW_BENCH_KEYS:-1000} keys: IPC, search, list rendering ($KW_BENCH_APP_PROFILE build)" ""
  md "$(cat "$out/gui-bench.md")" ""
}

bench_prompt() {
  local out="$KW_BENCH_OUT" state="$KW_BENCH_STATE"
  if [[ -z "${DISPLAY:-}" ]]; then kw_start_xvfb "$state" || return 1; fi
  kw_say "request arrival to prompt painted (tests/tests/gui_prompt_bench.rs)"
  KEYWARD_ARTIFACTS_DIR="$out" KEYWARD_APP="$KW_BENCH_APP" \
    cargo test -p keyward-tests --test integration -- gui_prompt_bench:: --ignored --nocapture 2>&1 |
    tee "$out/prompt-bench.log" >&2
  md "## A third-party request until its prompt is painted ($KW_BENCH_APP_PROFILE build)" ""
  md "Wall clock on both sides: the harness right before the client sends, the prompt window's page when the prompt is in the DOM and two animation frames later. 9 runs after a warm-up; each denied." ""
  md "$(cat "$out/prompt-bench.md")" ""
}

# Signing in process: criterion (sign/verify per scheme, JWT per algorithm, secp256k1 and P-256
# implementations side by side), then the peers: `openssl speed ecdsap256` and coincurve
# (libsecp256k1 from Python), as signatures per second, and the ratios.
bench_sign() {
  local out="$KW_BENCH_OUT" state="$KW_BENCH_STATE"
  kw_say "criterion: cargo bench -p keyward-crypto --bench sign"
  cargo bench -p keyward-crypto --bench sign -- --warm-up-time 1 --measurement-time 4 \
    --output-format bencher 2>/dev/null | tee "$out/criterion-sign.txt" >&2
  # "test NAME ... bench: 12,345 ns/iter (+/- 67)" -> ns per iteration
  ns() { awk -v n="$1" '$2 == n { gsub(",", "", $5); print $5 }' "$out/criterion-sign.txt"; }
  kw_say "openssl speed -seconds 5 ecdsap256"
  local ossl
  ossl="$(openssl speed -seconds 5 ecdsap256 2>/dev/null | awk '/nistp256/ { print $(NF-1) }')"
  kw_say "coincurve (libsecp256k1) in a private virtualenv"
  local venv="$CARGO_TARGET_DIR/bench-venv" cc ccv
  [[ -x "$venv/bin/python" ]] || python3 -m venv "$venv"
  "$venv/bin/python" -c 'import coincurve' 2>/dev/null || "$venv/bin/pip" install -q coincurve==21.0.0 >&2
  read -r cc ccv <<<"$("$venv/bin/python" scripts/bench/coincurve_sign.py 5)"
  local kw_p256 kw_k1 lib_k1 rc_p256 ossl_rs
  kw_p256="$(ns 'ecdsa-digest/p256/aws-lc-keyward')"
  ossl_rs="$(ns 'ecdsa-digest/p256/openssl')"
  rc_p256="$(ns 'ecdsa-digest/p256/rustcrypto')"
  kw_k1="$(ns 'ecdsa-digest/secp256k1/libsecp256k1-keyward')"
  lib_k1="$(ns 'ecdsa-digest/secp256k1/k256')"
  per_s() { awk -v ns="$1" 'BEGIN { printf "%.0f", 1e9 / ns }'; }
  ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f×", a / b }'; }
  md "## Signing in process (criterion, one digest per signature)" ""
  md "| signer | signatures/s | peer | peer signatures/s | ratio (goal ≥ 0.5×) |" "|---|---|---|---|---|"
  md "| P-256, AWS-LC (Keyward) | $(per_s "$kw_p256") | \`openssl speed ecdsap256\` | ${ossl%.*} | $(ratio "$(per_s "$kw_p256")" "$ossl") |"
  md "| secp256k1, libsecp256k1 (Keyward) | $(per_s "$kw_k1") | coincurve $ccv (libsecp256k1, Python) | $cc | $(ratio "$(per_s "$kw_k1")" "$cc") |"
  md "" "Other implementations measured in the same run: P-256 through the openssl crate $(per_s "$ossl_rs")/s," \
    "RustCrypto \`p256\` $(per_s "$rc_p256")/s; secp256k1 through RustCrypto \`k256\` $(per_s "$lib_k1")/s." ""
  md "Per scheme and algorithm (µs per operation):" "" "| benchmark | µs |" "|---|---|"
  awk '/^test / { gsub(",", "", $5); printf "| %s | %.1f |\n", $2, $5 / 1000 }' "$out/criterion-sign.txt" \
    >>"$out/summary.md"
  md ""
}

# `keyward-cli jwt mint` (Engine mode, ES256) as a whole process, with and without the agent,
# against the seed's own node script (jsonwebtoken.sign with expiresIn 15s).
bench_jwt() {
  local state="$KW_BENCH_STATE" cli="$KW_BENCH_CLI" pid i qcli
  export KEYWARD_DATA_DIR="$state/jwt-data" KEYWARD_PASSPHRASE_FILE="$state/passphrase"
  mkdir -m 700 "$KEYWARD_DATA_DIR"
  [[ -s "$KEYWARD_PASSPHRASE_FILE" ]] ||
    (umask 077 && od -An -N24 -tx1 /dev/urandom | tr -d ' \n' >"$KEYWARD_PASSPHRASE_FILE")
  "$cli" init >&2
  "$cli" key gen --alg p256 --label jwt >&2
  "$cli" key export-private jwt --format pem --yes >"$state/jwt-private.pem"
  "$cli" key export jwt --format pem >"$state/jwt-public.pem"
  [[ -d tests/interop/node_modules/jsonwebtoken ]] || (cd tests/interop && npm ci >&2)
  qcli="$(printf %q "$cli")"
  local node="node scripts/bench/engine-jwt.mjs $state/jwt-private.pem $state/jwt-public.pem"
  hf --warmup 3 --runs 30 --export-csv "$state/jwt-na.csv" -n 'keyward-cli jwt mint' "$qcli jwt mint --key jwt"
  "$cli" --json agent >"$state/jwt-agent.out" 2>"$state/jwt-agent.err" &
  pid=$!
  for ((i = 0; i < 300; i++)); do
    grep -q '"ready"' "$state/jwt-agent.out" 2>/dev/null && break
    sleep 0.1
  done
  grep -q '"ready"' "$state/jwt-agent.out" || { kw_err "agent not ready"; return 1; }
  hf --warmup 3 --runs 50 --export-csv "$state/jwt-ag.csv" \
    -n 'keyward-cli jwt mint' "$qcli jwt mint --key jwt" -n 'node jsonwebtoken' "$node"
  kill -TERM "$pid"
  wait "$pid" || true
  local a b c
  read -r -a a <<<"$(hf_row "$state/jwt-ag.csv" 'keyward-cli jwt mint')"
  read -r -a b <<<"$(hf_row "$state/jwt-na.csv" 'keyward-cli jwt mint')"
  read -r -a c <<<"$(hf_row "$state/jwt-ag.csv" 'node jsonwebtoken')"
  md "## \`jwt mint\` as a whole process (Engine mode, ES256)" ""
  md "\`hyperfine -N\`; ms. The peer is the seed document's node script (jsonwebtoken 9). Goal: ≤ 0.1× of node with the agent." ""
  md "| command | mean ± σ | min | max | ratio to node |" "|---|---|---|---|---|"
  md "| \`keyward-cli jwt mint\`, agent running | ${a[0]} ± ${a[1]} | ${a[2]} | ${a[3]} | $(awk -v x="${a[0]}" -v y="${c[0]}" 'BEGIN { printf "%.2f×", x / y }') |"
  md "| \`keyward-cli jwt mint\`, no agent (unlocks: Argon2id) | ${b[0]} ± ${b[1]} | ${b[2]} | ${b[3]} | $(awk -v x="${b[0]}" -v y="${c[0]}" 'BEGIN { printf "%.2f×", x / y }') |"
  md "| \`node engine-jwt.mjs\` (jsonwebtoken) | ${c[0]} ± ${c[1]} | ${c[2]} | ${c[3]} | 1× |" ""
  unset KEYWARD_DATA_DIR KEYWARD_PASSPHRASE_FILE
}

# The endpoint under load: JWT mints answered by a live grant (no prompt), through
# `keyward-cli endpoint serve` on loopback, sent by wrk with requests pre-signed by an
# independent MAC implementation (scripts/bench/endpoint-load.mjs, node:crypto).
bench_endpoint() {
  local state="$KW_BENCH_STATE" cli="$KW_BENCH_CLI" pid i url app alg key
  local n="${KW_BENCH_ENDPOINT_REQUESTS:-90000}" secs="${KW_BENCH_ENDPOINT_SECS:-8}"
  export KEYWARD_DATA_DIR="$state/endpoint-data"
  mkdir -m 700 "$KEYWARD_DATA_DIR"
  "$cli" init --no-passphrase >&2
  "$cli" key gen --alg p256 --label es >&2
  "$cli" key gen --alg rsa2048 --label rs >&2
  rm -f "$state/ep.in"
  mkfifo "$state/ep.in"
  "$cli" --json endpoint serve --port 0 <"$state/ep.in" >"$state/ep.out" 2>"$state/ep.err" &
  pid=$!
  exec 7>"$state/ep.in"
  for ((i = 0; i < 300; i++)); do
    grep -q '"ready"' "$state/ep.out" 2>/dev/null && break
    sleep 0.1
  done
  url="$(sed -n 's/.*"event":"ready","url":"\([^"]*\)".*/\1/p' "$state/ep.out" | head -n1)"
  [[ -n "$url" ]] || { kw_err "endpoint not ready: $(cat "$state/ep.err")"; return 1; }
  # Answers the next prompt after the inert second; $1: the answer ("y", or "approve ID 60m").
  answer_next() {
    local before="$1" line
    for ((i = 0; i < 300; i++)); do
      (($(grep -c '"event":"prompt"' "$state/ep.out") > before)) && break
      sleep 0.1
    done
    sleep 1.2
    line="$(grep '"event":"prompt"' "$state/ep.out" | tail -n1)"
    local id
    id="$(sed -n 's/.*"prompt":{"type":"[a-z]*","id":"\([0-9a-f]*\)".*/\1/p' <<<"$line")"
    echo "${2/ID/$id}" >&7
  }
  "$cli" --json request pair --name bench --save "$state/ep-creds.json" --url "$url" >&2 &
  answer_next 0 "y"
  wait $!
  app="$(sed -n 's/.*"app_id": *"\([^"]*\)".*/\1/p' "$state/ep-creds.json")"
  md "## Granted JWT mints through the endpoint (wrk on loopback)" ""
  md "\`keyward-cli endpoint serve\` (release) answers from a live grant: no prompt, the key kept unsealed while unlocked, audit rows group-committed. wrk 2 threads; each request carries its own single-use nonce and MAC (pre-signed by node:crypto). Goal (ES256): p50 < 1 ms and ≥ 5,000 req/s on this machine, load tool included." ""
  md "| alg | connections | requests/s | p50 | p90 | p99 | non-2xx |" "|---|---|---|---|---|---|---|"
  local prompts=1
  for alg in ES256 RS256; do
    key=es
    [[ "$alg" == RS256 ]] && key=rs
    printf '{"key":"%s","kind":"mint_jwt","template":{"alg":"%s","aud":["https://api.example.com"],"sub":"bench","claims":{},"exp_secs":60}}' \
      "$key" "$alg" >"$state/ep-body-$alg.json"
    "$cli" --json request jwt -c "$state/ep-creds.json" --key "$key" --alg "$alg" \
      --aud https://api.example.com --sub bench --exp 60s >"$state/ep-first-$alg.json" 2>&2 &
    answer_next "$prompts" "approve ID 60m"
    wait $!
    prompts=$((prompts + 1))
    for conns in 4 32; do
      node scripts/bench/endpoint-load.mjs "$state/ep-creds.json" "$state/ep-body-$alg.json" "$n" \
        >"$state/ep-req.tsv"
      KW_REQUESTS="$state/ep-req.tsv" KW_BODY="$state/ep-body-$alg.json" KW_APP="$app" KW_THREADS=2 \
        wrk -t2 -c"$conns" -d"${secs}s" --latency -s scripts/bench/endpoint-wrk.lua "$url" \
        >"$state/ep-wrk-$alg-$conns.txt"
      cp "$state/ep-wrk-$alg-$conns.txt" "$KW_BENCH_OUT/"
      local rps p50 p90 p99 bad
      rps="$(awk '/^Requests\/sec:/ { print $2 }' "$state/ep-wrk-$alg-$conns.txt")"
      p50="$(awk '$1 == "50%" { print $2 }' "$state/ep-wrk-$alg-$conns.txt")"
      p90="$(awk '$1 == "90%" { print $2 }' "$state/ep-wrk-$alg-$conns.txt")"
      p99="$(awk '$1 == "99%" { print $2 }' "$state/ep-wrk-$alg-$conns.txt")"
      bad="$(awk '/Non-2xx/ { print $NF }' "$state/ep-wrk-$alg-$conns.txt")"
      md "| $alg | $conns | $rps | $p50 | $p90 | $p99 | ${bad:-0} |"
    done
  done
  md ""
  exec 7>&-
  kill -TERM "$pid"
  wait "$pid" || true
  unset KEYWARD_DATA_DIR
}

inside_session() {
  trap cleanup EXIT
  trap 'exit 143' TERM
  trap 'exit 130' INT
  local step
  for step in ${KW_BENCH_STEPS:-cli many app gui sign jwt endpoint prompt}; do
    case "$step" in
      endpoint) bench_endpoint ;;
      prompt) bench_prompt ;;
      cli) bench_cli ;;
      sign) bench_sign ;;
      jwt) bench_jwt ;;
      many) bench_many ;;
      app) bench_app ;;
      gui) bench_gui ;;
      *)
        kw_err "unknown KW_BENCH_STEPS entry: $step"
        return 1
        ;;
    esac
  done
  touch "$KW_BENCH_STATE/load"
  md "## Load average (1, 5, 15 min)" ""
  sed 's/^/- /' "$KW_BENCH_STATE/load" >>"$KW_BENCH_OUT/summary.md"
  md ""
}

if ((inside)); then
  inside_session
  exit
fi

# ---------------------------------------------------------------------------------------------
# Outside: tools, builds, machine facts, then the session.

kw_target

missing=()
for tool in Xvfb:xvfb xwininfo:x11-utils import:imagemagick identify:imagemagick \
  gnome-keyring-daemon:gnome-keyring dbus-run-session:dbus-daemon; do
  command -v "${tool%%:*}" >/dev/null 2>&1 || missing+=("${tool#*:}")
done
if ((${#missing[@]})); then
  kw_err "missing: ${missing[*]} (scripts/run.sh installs them)"
  exit 1
fi
# hyperfine for the CLI; xwd (x11-apps) takes screenshots ~10x faster than ImageMagick's import.
wanted=()
command -v hyperfine >/dev/null 2>&1 || wanted+=(hyperfine)
command -v xwd >/dev/null 2>&1 || wanted+=(x11-apps)
command -v wrk >/dev/null 2>&1 || wanted+=(wrk)
if ((${#wanted[@]})); then
  kw__apt_install "${wanted[@]}"
fi

if ((release_app)); then
  profile=release app_profile="release profile"
else
  profile=debug app_profile="dev profile (own crates unoptimised, dependencies at opt-level 2)"
fi
kw_say "the app is benchmarked in its $app_profile build"
if ((build)); then
  wait_for_cargo
  kw_say "cargo build --release -p keyward-cli"
  cargo build --release -p keyward-cli
  # The GUI benchmark's harness runs the dev build of the CLI (to make its vault), and is built
  # now so that nothing compiles while the benchmarks run.
  kw_say "cargo build -p keyward-cli; cargo test -p keyward-tests --test integration --no-run"
  cargo build -p keyward-cli
  cargo test -p keyward-tests --test integration --no-run
  kw_say "cargo bench -p keyward-crypto --bench sign --no-run"
  cargo bench -p keyward-crypto --bench sign --no-run
  # The app embeds ui/dist at compile time: build it first when it is missing or stale.
  if [[ ! -d ui/node_modules ]]; then (cd ui && npm ci); fi
  kw_build_ui
  wait_for_cargo
  # The hello-world Tauri window (bench/hello-tauri) is the app's baseline: same profile. Built
  # on its own, so that its Tauri has only the features it asks for, not the app's.
  if ((release_app)); then
    kw_say "cargo build --release -p keyward (the app, release profile)"
    cargo build --release -p keyward
    kw_say "cargo build --release -p hello-tauri (the baseline, release profile)"
    cargo build --release -p hello-tauri
  else
    kw_say "cargo build -p keyward (the app, dev profile; --release-app for release)"
    cargo build -p keyward
    kw_say "cargo build -p hello-tauri (the baseline, dev profile)"
    cargo build -p hello-tauri
  fi
fi
cli="$CARGO_TARGET_DIR/release/keyward-cli"
app="$CARGO_TARGET_DIR/$profile/keyward"
hello="$CARGO_TARGET_DIR/$profile/hello-tauri"
for bin in "$cli" "$app" "$hello" "$CARGO_TARGET_DIR/debug/keyward-cli"; do
  if [[ ! -x "$bin" ]]; then
    kw_err "$bin not found; run without --no-build"
    exit 1
  fi
done

out="$CARGO_TARGET_DIR/bench/$(date -u +%Y%m%dT%H%M%SZ)"
mkdir -p "$out"
state="$(mktemp -d "${TMPDIR:-/tmp}/keyward-bench.XXXXXX")"
trap 'rm -rf "$state"' EXIT

rev="$(git rev-parse --short HEAD 2>/dev/null || echo unknown)"
if [[ -n "$(git status --porcelain --untracked-files=no 2>/dev/null)" ]]; then
  rev="$rev with uncommitted changes"
fi
os="$(. /etc/os-release && echo "$PRETTY_NAME") ($(cat /etc/debian_version 2>/dev/null || echo ?))"
{
  echo "# Keyward benchmarks, $(date -u '+%Y-%m-%d %H:%M UTC')"
  echo
  echo "- Machine: $(nproc) cores, $(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n1)," \
    "$(awk '/^MemTotal:/ { printf "%.1f GiB RAM", $2 / 1048576 }' /proc/meminfo); $os," \
    "kernel $(uname -r). Shared and noisy: the numbers are indicative."
  echo "- Builds: keyward-cli release profile (dev for the GUI benchmark's vault); app and its hello-world Tauri baseline $app_profile. Commit $rev."
  echo "- Tools: $(hyperfine --version), WebKitGTK $(dpkg-query -W -f='${Version}' libwebkit2gtk-4.1-0 2>/dev/null || echo '?'), $(rustc --version 2>/dev/null | cut -d' ' -f1-2)."
  echo "- Keychain: a private gnome-keyring (Secret Service) on a private D-Bus session."
  echo
} >"$out/summary.md"

export KW_BENCH_OUT="$out" KW_BENCH_STATE="$state" KW_BENCH_CLI="$cli" KW_BENCH_APP="$app"
export KW_BENCH_HELLO="$hello"
export KW_BENCH_APP_PROFILE="${app_profile%% (*}"
# Not while someone else compiles: that would be measured too (best effort; tests may still run).
wait_for_cargo
# stdout carries only the summary: the session's chatter (D-Bus activations...) goes to stderr.
kw_with_keyring bash scripts/bench.sh --inside-session >&2

cat "$out/summary.md"
kw_say "results: $out"
