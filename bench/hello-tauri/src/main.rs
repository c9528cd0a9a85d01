//! Hello-world Tauri 2 window: the baseline of `scripts/bench.sh`'s start-up and memory
//! comparison.
//!
//! The goal is the Keyward app's cold start to its first painted screen and its idle PSS
//! (summed over the app's processes) each at most 1.2× those of a hello-world Tauri window
//! measured in the same run. This is that window: the default builder, no plugins, no commands,
//! one page (`dist/index.html`, embedded through the custom protocol like Keyward's UI), built
//! in the same profile as the app. `scripts/bench.sh` (step `app`) starts it on the same Xvfb,
//! times it to its window mapped and its page painted, and sums its idle PSS.
//!
//! It is a workspace member but not a default member: `cargo build -p hello-tauri`.

fn main() {
    tauri::Builder::default()
        .run(tauri::generate_context!())
        .expect("error while running the hello-world Tauri app");
}
