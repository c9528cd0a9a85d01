// Declaring the app's commands in its manifest makes them subject to capabilities: a window
// may call only what a capability file grants it (capabilities/).
const COMMANDS: &[&str] = &[
    "vault_status",
    "vault_init",
    "vault_unlock",
    "vault_lock",
    "key_list",
    "key_generate",
    "key_import",
    "key_detail",
    "key_qr",
    "key_export",
    "key_tag",
    "audit_list",
    "audit_verify",
    "key_reveal",
    "key_export_file",
    "backup_create",
    "backup_restore",
    "key_rename",
    "key_delete",
    "key_sign",
    "key_verify",
    "key_policy",
    "jwt_mint",
    "jwt_verify",
    "jwt_inspect",
    "service_list",
    "service_add_engine",
    "service_remove",
    "engine_health",
    "engine_keypair_add",
    "engine_keypair_list",
    "engine_keypair_remove",
    "engine_token_create",
    "engine_token_list",
    "engine_token_update",
    "engine_token_revoke",
    "engine_call",
    "playground_start",
    "playground_stop",
    "playground_status",
    "prompt_current",
    "approval_decide",
    "pairing_decide",
    "approvals_state",
    "app_unpair",
    "grant_revoke",
    "prompt_focus",
];

fn main() {
    tauri_build::try_build(
        tauri_build::Attributes::new()
            .app_manifest(tauri_build::AppManifest::new().commands(COMMANDS)),
    )
    .expect("tauri-build failed");
}
