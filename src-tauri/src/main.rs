// The Keyward desktop app. Thin: every command maps to one vault call, run off the UI thread.
// Commands return public data only; errors carry {code, message, hint}.
#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

mod commands;

fn main() {
    keyward_vault::harden_process();
    tauri::Builder::default()
        .plugin(tauri_plugin_dialog::init())
        .manage(commands::AppState::default())
        .invoke_handler(tauri::generate_handler![
            commands::vault_status,
            commands::vault_init,
            commands::vault_unlock,
            commands::vault_lock,
            commands::key_list,
            commands::key_generate,
            commands::key_import,
            commands::key_detail,
            commands::key_qr,
            commands::key_export,
            commands::key_tag,
            commands::audit_list,
            commands::audit_verify,
            commands::key_reveal,
            commands::key_export_file,
            commands::backup_create,
            commands::backup_restore,
            commands::key_rename,
            commands::key_delete,
        ])
        .build(tauri::generate_context!())
        .expect("error while building Keyward")
        .run(|app, event| {
            // On exit the vault locks: the lock is logged and the audit chain anchored.
            if let tauri::RunEvent::Exit = event {
                use tauri::Manager;
                app.state::<commands::AppState>().lock_on_exit();
            }
        });
}
