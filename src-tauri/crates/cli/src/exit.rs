//! Exit statuses. An error's status is picked by the family of its code (`vault.locked` is a
//! `vault` error); the table is part of the CLI's contract (`keyward-cli --help` lists it).

/// The exit status of an error with this code.
pub fn exit_code(code: &str) -> u8 {
    match code.split('.').next() {
        Some("vault") => 3,
        Some("keychain") => 4,
        Some("key") => 5,
        Some("agent") => 6,
        Some("usage") => 2,
        Some("backup") => 3,
        Some("sign" | "jwt" | "siwe") => 7,
        Some("service" | "clock") => 8,
        Some("endpoint" | "approval" | "app" | "grant" | "link") => 9,
        _ => 1,
    }
}
