#!/usr/bin/env bash
# Runs every check and test, in order, stopping at the first failure:
#   fmt, clippy, UI type check, UI unit tests, build, cargo test (including the #[ignore]d GUI
#   end-to-end tests, on a private keyring and a virtual display), then scripts/run.sh
#   --screenshot-only to prove the app starts, then that git sees the tree as it was at the start
#   (on a fresh clone: clean).
#
#   scripts/test.sh           everything (what .ci/run does)
#   scripts/test.sh --quick   skip fmt, clippy and the UI checks
#
# Tests get: KEYWARD_TARGET_DIR (built binaries under debug/), KEYWARD_ARTIFACTS_DIR (where to
# save screenshots; default $CARGO_TARGET_DIR/test-artifacts, emptied first), and, inside the
# private keyring, KEYWARD_TEST_KEYRING_PASSWORD.
set -euo pipefail

cd "$(dirname "$0")/.."
# shellcheck source=scripts/lib.sh
source scripts/lib.sh

quick=0
for arg in "$@"; do
  case "$arg" in
    --quick) quick=1 ;;
    -h | --help) sed -n '2,12s/^# \{0,1\}//p' "$0" && exit 0 ;;
    *) kw_err "unknown argument: $arg (try --help)" && exit 2 ;;
  esac
done

step_names=()
step_times=()
total_start=$SECONDS

fmt_secs() { printf '%dm%02ds' $(($1 / 60)) $(($1 % 60)); }

summary() {
  local i
  printf '\n%-34s %s\n' "step" "time" >&2
  for i in "${!step_names[@]}"; do
    printf '%-34s %s\n' "${step_names[$i]}" "${step_times[$i]}" >&2
  done
  printf '%-34s %s\n' "total" "$(fmt_secs $((SECONDS - total_start)))" >&2
  if [[ -n "${KEYWARD_ARTIFACTS_DIR:-}" ]]; then
    printf '\ntest artifacts (screenshots): %s\n' "$KEYWARD_ARTIFACTS_DIR" >&2
  fi
}

# step NAME CMD...: run CMD in a subshell with errexit really on (it would be off inside `if`).
step() {
  local name="$1" start=$SECONDS rc=0
  shift
  printf '\n%s━━━ %s%s\n' "$KW_BLUE" "$name" "$KW_OFF" >&2
  set +e
  (
    set -e
    "$@"
  )
  rc=$?
  set -e
  local took
  took="$(fmt_secs $((SECONDS - start)))"
  if ((rc == 0)); then
    step_names+=("$name")
    step_times+=("$took")
    printf '%s━━━ %s: ok (%s)%s\n' "$KW_GREEN" "$name" "$took" "$KW_OFF" >&2
  else
    step_names+=("$name")
    step_times+=("$took  FAILED (exit $rc)")
    printf '%s━━━ %s: FAILED with exit %d (%s)%s\n' "$KW_RED" "$name" "$rc" "$took" "$KW_OFF" >&2
    summary
    exit "$rc"
  fi
}

# What git sees now, to check at the end that nothing here changed the tree (a fresh clone must
# stay clean: no rewritten lock file, no generated file, no stray screenshot).
tree_before="$(git status --porcelain --untracked-files=all 2>/dev/null || true)"
tree_unchanged() {
  local now
  now="$(git status --porcelain --untracked-files=all 2>/dev/null || true)"
  if [[ "$now" != "$tree_before" ]]; then
    kw_err "the run changed the working tree:"
    diff <(printf '%s\n' "$tree_before") <(printf '%s\n' "$now") >&2 || true
    return 1
  fi
}

step "dependencies" kw_deps
kw_target

if [[ -z "${KEYWARD_ARTIFACTS_DIR:-}" ]]; then
  # Ours: start empty so no screenshot from an earlier run passes for a new one.
  KEYWARD_ARTIFACTS_DIR="$CARGO_TARGET_DIR/test-artifacts"
  rm -rf "$KEYWARD_ARTIFACTS_DIR"
fi
[[ "$KEYWARD_ARTIFACTS_DIR" == /* ]] || KEYWARD_ARTIFACTS_DIR="$PWD/$KEYWARD_ARTIFACTS_DIR"
mkdir -p "$KEYWARD_ARTIFACTS_DIR"
export KEYWARD_ARTIFACTS_DIR

ui() { (cd ui && npm "$@"); }

# The app embeds ui/dist at compile time (tauri::generate_context!), so even clippy needs it.
step "ui: build" kw_build_ui
if ((!quick)); then
  step "cargo fmt --check" cargo fmt --all --check
  step "cargo clippy -D warnings" cargo clippy --workspace --all-targets -- -D warnings
  step "ui: npm run check" ui run check
  step "ui: npm test" ui test
fi
step "build (ui + cargo)" kw_build
# gui_bench and gui_prompt_bench are benchmarks (scripts/bench.sh runs them), not tests.
step "cargo test (+ GUI e2e)" \
  kw_with_keyring kw_with_display cargo test --workspace --no-fail-fast -- --include-ignored \
    --skip list_1000_keys_render_and_search --skip request_arrival_to_prompt_painted
step "scripts/run.sh --screenshot-only" \
  env KEYWARD_SCREENSHOT="$KEYWARD_ARTIFACTS_DIR/run-screenshot.png" scripts/run.sh --screenshot-only
step "git status as before the run" tree_unchanged

summary
printf '%sall steps passed%s\n' "$KW_GREEN" "$KW_OFF" >&2
