// The Keyward desktop app. Thin: every command maps to one vault or services call, run off
// the UI thread.
// Commands return public data only; errors carry {code, message, hint}.
#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

mod commands;
mod events;
mod platform;
mod state;

use commands::{approvals, audit, backup, clipboard, keys, remote_keys, services, signing, vault};
use platform::{links, session};

fn main() {
    keyward_vault::harden_process();
    let argv: Vec<String> = std::env::args().collect();
    let background = argv.iter().any(|a| a == "--background");
    let first_links = links::links_in(&argv);
    tauri::Builder::default()
        // First: a second launch ends here, in the running app's callback.
        .plugin(tauri_plugin_single_instance::init(|app, argv, _cwd| {
            session::second_launch(app, &argv);
        }))
        .plugin(tauri_plugin_deep_link::init())
        .plugin(tauri_plugin_dialog::init())
        .manage(state::AppState::default())
        .manage(links::Registered::default())
        .manage(std::sync::Arc::new(platform::clipboard::Clip::default()))
        .invoke_handler(tauri::generate_handler![
            vault::vault_status,
            vault::vault_init,
            vault::vault_unlock,
            vault::vault_lock,
            vault::vault_change_passphrase,
            keys::key_list,
            keys::key_generate,
            keys::key_import,
            keys::key_import_preview,
            keys::key_detail,
            keys::key_qr,
            keys::key_qr_file,
            keys::key_export,
            keys::key_tag,
            audit::audit_list,
            audit::audit_verify,
            audit::audit_export,
            keys::key_reveal,
            keys::key_export_file,
            backup::backup_create,
            backup::backup_restore,
            backup::backup_inspect,
            backup::backup_merge,
            keys::key_rename,
            keys::key_delete,
            signing::key_sign,
            signing::key_verify,
            keys::key_policy,
            signing::jwt_mint,
            signing::jwt_verify,
            signing::jwt_inspect,
            services::service_list,
            services::service_add_engine,
            services::service_remove,
            services::engine_health,
            services::engine_keypair_add,
            services::engine_keypair_list,
            services::engine_keypair_remove,
            remote_keys::service_key_list,
            remote_keys::service_key_create,
            remote_keys::service_key_rename,
            remote_keys::service_key_revoke,
            remote_keys::service_key_check,
            services::engine_call,
            services::playground_start,
            services::playground_stop,
            services::playground_status,
            approvals::prompt_current,
            approvals::approval_decide,
            approvals::pairing_decide,
            approvals::approvals_state,
            approvals::app_unpair,
            approvals::grant_revoke,
            approvals::prompt_focus,
            clipboard::clipboard_copy,
            vault::settings_get,
            vault::settings_set,
        ])
        .setup(move |app| {
            session::start(app.handle());
            // Started by a link: its prompt, not the main window, comes forward.
            session::background_mode(app.handle(), background || !first_links.is_empty());
            // A link starts the endpoint itself, at once.
            links::open_links(app.handle(), first_links.clone());
            Ok(())
        })
        // The endpoint, the agent socket, the tray and the scheme registration start once the
        // main window's page has loaded, so that they do not compete with the first screen
        // (the vault lock, the keychain, the CPU).
        .on_page_load(|webview, payload| {
            if webview.label() == events::MAIN_WINDOW
                && matches!(payload.event(), tauri::webview::PageLoadEvent::Finished)
            {
                use tauri::Manager;
                session::after_first_load(webview.app_handle());
            }
        })
        .build(tauri::generate_context!())
        .expect("error while building Keyward")
        .run(|app, event| {
            // On exit the vault locks: the lock is logged and the audit chain anchored.
            if let tauri::RunEvent::Exit = event {
                use tauri::Manager;
                let state = app.state::<state::AppState>();
                state.lock_on_exit();
                state.stop_playground_on_exit();
            }
        });
}
