#!/usr/bin/env bash
# Tauri's beforeBundleCommand (src-tauri/tauri.conf.json): builds keyward-cli in release, in the
# same target dir as the app, and stages it where the .deb's file list takes it from
# (bundle.linux.deb.files: /usr/bin/keyward-cli <- target/stage/keyward-cli).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cargo build --release -p keyward-cli --manifest-path "$root/Cargo.toml"
target="${CARGO_TARGET_DIR:-$root/target}"
mkdir -p "$root/target/stage"
install -m 0755 "$target/release/keyward-cli" "$root/target/stage/keyward-cli"
