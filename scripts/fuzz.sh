#!/usr/bin/env bash
# Runs every cargo-fuzz target (fuzz/fuzz_targets/) for SECONDS each (default 60), one after the
# other, from the committed seeds. Not part of scripts/test.sh: CI has no time for it.
#
#   scripts/fuzz.sh [SECONDS] [TARGET...]
#
# Installs cargo-fuzz when it is missing. Works on the stable toolchain: cargo-fuzz passes
# nightly-only flags (-Zsanitizer=address and friends), so this sets RUSTC_BOOTSTRAP=1 for the
# fuzz build (its own workspace and target dir, fuzz/target; the main build is untouched).
# Each target fuzzes fuzz/corpus/TARGET (scratch, git-ignored, kept between runs), topped up
# from the committed seeds fuzz/seeds/TARGET; the seeds named regression-* (minimised crashes)
# are replayed once first instead. A crash stops that target, leaves its input under
# fuzz/artifacts/TARGET/, and makes the script exit 1 at the end.
#
# Environment: KEYWARD_FUZZ_SANITIZER=address (default) or none (no AddressSanitizer: faster
# runs, panics only; changing it rebuilds everything, about 15 minutes on 2 cores).
set -euo pipefail

cd "$(dirname "$0")/.."

case "${1:-}" in
  -h | --help) sed -n '2,16s/^# \{0,1\}//p' "$0" && exit 0 ;;
esac

secs=60
if [[ $# -gt 0 && "$1" =~ ^[0-9]+$ ]]; then
  secs=$1
  shift
fi
sanitizer=${KEYWARD_FUZZ_SANITIZER:-address}

if ! command -v cargo >/dev/null 2>&1 && [[ -x "${CARGO_HOME:-$HOME/.cargo}/bin/cargo" ]]; then
  export PATH="${CARGO_HOME:-$HOME/.cargo}/bin:$PATH"
fi
if ! cargo fuzz --version >/dev/null 2>&1; then
  echo "==> installing cargo-fuzz" >&2
  cargo install cargo-fuzz --locked
fi
export RUSTC_BOOTSTRAP=1

targets=("$@")
if [[ ${#targets[@]} -eq 0 ]]; then
  mapfile -t targets < <(cd fuzz && cargo fuzz list)
fi

# Per-target libFuzzer options. The import targets reach key-derivation functions whose cost
# the input names (keystore scrypt/PBKDF2, encrypted PKCS#8, OpenSSH bcrypt): bounded or not,
# one such input can take seconds, so they run in fork mode, where a slow input is logged as a
# timeout and skipped instead of ending the run. A panic still stops the run.
target_args() {
  case "$1" in
    import_auto | import_formats)
      echo "-timeout=10 -fork=1 -ignore_timeouts=1 -ignore_ooms=1 -rss_limit_mb=4096"
      ;;
    *)
      echo "-timeout=10"
      ;;
  esac
}

failed=()
for target in "${targets[@]}"; do
  seeds="fuzz/seeds/$target"
  corpus="fuzz/corpus/$target"
  mkdir -p "$corpus" "$seeds"
  # Minimised crashes (regression-*) run once each: a failure is reported, and they stay out
  # of the fuzzing corpus so that a known, unfixed bug does not stop every run at start-up.
  regressions=()
  for f in "$seeds"/regression-*; do
    [[ -e "$f" ]] && regressions+=("seeds/$target/${f##*/}")
  done
  if [[ ${#regressions[@]} -gt 0 ]]; then
    echo "==> $target: replaying ${#regressions[@]} regression input(s)" >&2
    if ! (cd fuzz && cargo fuzz run --sanitizer "$sanitizer" "$target" "${regressions[@]}" \
      -- -runs=1); then
      failed+=("$target (regression)")
    fi
  fi
  # The scratch corpus starts from (and is topped up with) the seeds.
  find "$seeds" -maxdepth 1 -type f ! -name 'regression-*' -exec cp -n -t "$corpus" {} +
  echo "==> fuzzing $target for ${secs}s" >&2
  read -r -a extra <<<"$(target_args "$target")"
  if ! (cd fuzz && cargo fuzz run --sanitizer "$sanitizer" "$target" "corpus/$target" -- \
    "-max_total_time=$secs" -print_final_stats=1 "${extra[@]}"); then
    failed+=("$target")
  fi
done

if [[ ${#failed[@]} -gt 0 ]]; then
  echo "keyward: fuzz: failures in: ${failed[*]} (inputs under fuzz/artifacts/)" >&2
  exit 1
fi
echo "==> no crash in: ${targets[*]}" >&2
