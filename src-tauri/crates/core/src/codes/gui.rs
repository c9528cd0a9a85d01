//! The words the app's window shows for each error code (see the parent module): one sentence
//! that names screens and buttons, never a CLI command or flag.

/// The hint the app's window shows for each code, in the order of [`super::ERRORS`]: one sentence for
/// a person at the desktop, naming the app's screens and buttons (never a CLI command, a flag
/// or a setting's config name). The CLI shows the error's own hint, which names commands and
/// flags. A test keeps this list complete and its words fit for the window.
pub(super) const GUI_HINTS: &[(&str, &str)] = &[
    // usage
    ("usage.invalid", "Check what you entered against the message, then try again."),
    // vault
    (
        "vault.already_initialized",
        "This computer already has a vault: unlock it instead of making a new one.",
    ),
    (
        "vault.bad_passphrase",
        "Check the passphrase (mind Caps Lock and the keyboard layout) and try again.",
    ),
    (
        "vault.corrupt_item",
        "An item Keyward keeps in the system keyring does not belong to this vault or was altered; restore your keys from a backup.",
    ),
    (
        "vault.index",
        "Keyward could not use its database; make sure the disk is not full and Keyward's data folder is writable, then restart the app.",
    ),
    (
        "vault.io",
        "Keyward could not read or write a file; make sure the disk is not full and you may write to Keyward's folders, then try again.",
    ),
    (
        "vault.item_too_large",
        "This secret is larger than the system keyring allows (2,560 bytes), so Keyward cannot store it.",
    ),
    (
        "vault.kdf",
        "Keyward could not derive a key from the passphrase; try again, and if it keeps failing restore your keys from a backup.",
    ),
    ("vault.locked", "Unlock the vault on the Unlock screen, then try again."),
    (
        "vault.missing_item",
        "An item Keyward keeps in the system keyring was deleted outside Keyward; if your keys are gone, restore them from a backup.",
    ),
    (
        "vault.no_passphrase_source",
        "Enter the vault passphrase where Keyward asks for it, then try again.",
    ),
    (
        "vault.not_initialized",
        "Create a vault on the Setup screen, or restore one there from a backup.",
    ),
    (
        "vault.passphrase_mismatch",
        "Type the same passphrase in both fields.",
    ),
    (
        "vault.passphrase_required",
        "Enter the vault passphrase, then try again.",
    ),
    ("vault.usage", "Check what you entered against the message, then try again."),
    (
        "vault.weak_passphrase",
        "Choose a passphrase of at least 8 characters; a few random words are best.",
    ),
    // backup
    (
        "backup.bad_params",
        "The backup file is damaged or was not made by Keyward; use another copy of the backup.",
    ),
    (
        "backup.bad_passphrase",
        "Check the backup passphrase (by default the vault passphrase at the time of the backup); if it is right, the file was altered.",
    ),
    (
        "backup.corrupt",
        "The backup file is damaged or was not made by Keyward; use another copy of the backup.",
    ),
    (
        "backup.not_a_backup",
        "Choose a file made with Create backup on the Backup screen.",
    ),
    (
        "backup.truncated",
        "The file was cut short, perhaps by an interrupted copy; choose a complete copy of the backup.",
    ),
    (
        "backup.unsupported_version",
        "A newer Keyward made this backup; update Keyward, then restore it.",
    ),
    // keychain
    (
        "keychain.failure",
        "Make sure the system keyring (GNOME Keyring or KWallet) is running and unlocked, then try again.",
    ),
    (
        "keychain.locked",
        "Unlock the system keyring (GNOME Keyring or KWallet), for example by logging in to the desktop again, then try again.",
    ),
    (
        "keychain.no_default_collection",
        "Create and unlock a default keyring in your keyring app (such as Passwords and Keys), then try again.",
    ),
    (
        "keychain.no_provider",
        "Install and start a system keyring (GNOME Keyring or KWallet), then restart Keyward.",
    ),
    (
        "keychain.no_session_bus",
        "Start Keyward from your desktop session, where the system keyring runs, then try again.",
    ),
    (
        "keychain.timeout",
        "The system keyring may be waiting for you to unlock it: answer its prompt, then try again.",
    ),
    // key
    (
        "key.alg_mismatch",
        "Choose the curve the key really uses, or import the key that matches the curve you chose.",
    ),
    (
        "key.alg_required",
        "Choose the key's curve in the Curve list under the Import field.",
    ),
    (
        "key.ambiguous",
        "Pick the key you mean from the list on the Keys screen.",
    ),
    (
        "key.bad_checksum",
        "A character was mistyped or lost; copy the key or recovery phrase again.",
    ),
    (
        "key.bad_encoding",
        "Copy the text again without extra spaces or characters, and check that the chosen format fits it.",
    ),
    ("key.bad_format", "Choose one of the formats offered in the list."),
    (
        "key.bad_jwk",
        "Paste a private JWK (one with a \"d\" value) of type EC, OKP or RSA.",
    ),
    (
        "key.bad_key",
        "The text is not a valid key of its format; check that it was copied whole and that the format and curve chosen match it.",
    ),
    (
        "key.bad_keystore",
        "Choose an Ethereum keystore file (version 3 JSON, as wallets export it).",
    ),
    ("key.bad_label", "Use a label of 1 to 100 printable characters."),
    (
        "key.bad_mnemonic",
        "Enter the 12, 15, 18, 21 or 24 words of an English recovery phrase, separated by spaces.",
    ),
    (
        "key.bad_openssh",
        "Paste the OpenSSH private key as ssh-keygen writes it, from its BEGIN line to its END line.",
    ),
    (
        "key.bad_passphrase",
        "Check the key's own passphrase (the one it was encrypted with, not your vault passphrase) and try again.",
    ),
    (
        "key.bad_path",
        "Write the derivation path like m/44'/60'/0'/0/0, or pick a preset such as Ethereum, EOS or Bitcoin.",
    ),
    (
        "key.bad_pem",
        "Copy the whole PEM again, from the BEGIN line to the END line.",
    ),
    (
        "key.bad_tag",
        "Use tags of 1 to 32 letters, digits, dashes, underscores, dots or colons, like prod or team:payments.",
    ),
    (
        "key.bad_xprv",
        "Paste a BIP32 extended private key (it starts with xprv or tprv).",
    ),
    (
        "key.confirmation_required",
        "Confirm in the dialog Keyward shows, then try again.",
    ),
    (
        "key.format_not_for_alg",
        "Choose another format: raw hex is for EC and Ed25519 keys, WIF and EOS for secp256k1 keys.",
    ),
    (
        "key.input_too_large",
        "Paste the key itself, not an archive or a bundle of files.",
    ),
    (
        "key.kdf_too_costly",
        "This encrypted key asks for more memory or rounds than Keyward allows; encrypt it again with standard settings, then import it.",
    ),
    (
        "key.not_found",
        "The key may have been deleted; pick one from the list on the Keys screen.",
    ),
    (
        "key.not_pem",
        "Paste the whole PEM key, starting at its BEGIN line, or choose the format the key is in.",
    ),
    (
        "key.not_private",
        "Import the private key; a public key cannot sign.",
    ),
    (
        "key.passphrase_required",
        "This key is encrypted: enter its own passphrase (not your vault passphrase) in the passphrase field, then try again.",
    ),
    (
        "key.unknown_format",
        "Keyward could not tell the key's format; name it in the format picker under the Import field.",
    ),
    (
        "key.unsupported_alg",
        "Use a P-256, P-384, secp256k1, Ed25519 or RSA (2048, 3072 or 4096 bit) key; Keyward keeps no others.",
    ),
    (
        "key.weak_key",
        "Use an RSA key of 2048 bits or more, or generate a new key under New key on the Keys screen.",
    ),
    (
        "key.wrong_curve",
        "Use a P-256, P-384, secp256k1, Ed25519 or RSA (2048, 3072 or 4096 bit) key; Keyward keeps no others.",
    ),
    // agent
    (
        "agent.already_running",
        "Another Keyward already serves this vault; use that one, or quit it first.",
    ),
    (
        "agent.not_running",
        "Keep Keyward open, or let it start in the background at login (Settings screen), so programs can reach your keys.",
    ),
    (
        "agent.peer_rejected",
        "Only programs running as your own user may use Keyward's keys.",
    ),
    (
        "agent.protocol",
        "Keyward and the program that called it may be different versions; restart Keyward and try again.",
    ),
    ("agent.unreachable", "Restart Keyward, then try again."),
    (
        "agent.unsafe_runtime_dir",
        "Keyward's runtime folder can be read by other users; remove it or make it private to you, then restart Keyward.",
    ),
    // sign
    (
        "sign.bad_input",
        "Check the input: text, hex bytes, or a hex digest as long as the hash (32 bytes, or 48 for P-384).",
    ),
    (
        "sign.bad_signature",
        "Copy the whole signature again: hex (0x optional), base64, or SIG_K1_ for EOS.",
    ),
    (
        "sign.non_canonical",
        "This signature is in the high-S form Ethereum rejects; ask the signer for a canonical (low-S) signature.",
    ),
    (
        "sign.policy_forbidden",
        "This key's usage does not allow it; change the key's Usage on the Keys screen, or pick another key.",
    ),
    (
        "sign.scheme_not_for_alg",
        "Choose a scheme the Sign screen offers for this key, or pick a key of the right curve.",
    ),
    (
        "sign.unknown_scheme",
        "Choose a scheme from the list on the Sign screen.",
    ),
    // jwt
    (
        "jwt.alg_key_mismatch",
        "Choose the algorithm that fits the key: ES256 for P-256, ES384 for P-384, ES256K for secp256k1, RS256 or PS256 for RSA, EdDSA for Ed25519.",
    ),
    (
        "jwt.alg_none",
        "Unsigned tokens (alg none) are never accepted; get a signed token.",
    ),
    (
        "jwt.alg_not_allowed",
        "Tick the token's algorithm among the algorithms to accept under Decode & verify, if you expect it.",
    ),
    (
        "jwt.alg_not_in_mode",
        "Engine accepts RS256, ES256, ES384 and PS256 only; for this key choose Generic JWT as the mode.",
    ),
    (
        "jwt.bad_claim",
        "Give each custom claim a name and a value, and set the lifetime with Expires in rather than a claim.",
    ),
    (
        "jwt.bad_duration",
        "Write a duration like 15s, 2m or 90 (seconds).",
    ),
    (
        "jwt.bad_signature",
        "The token was not signed by this key, or was changed after signing.",
    ),
    (
        "jwt.body_not_json",
        "The body to bind must be one JSON value; fix the JSON body field.",
    ),
    (
        "jwt.claim_mismatch",
        "The token was minted for another issuer or audience; check the Require iss and Require aud fields.",
    ),
    (
        "jwt.claim_missing",
        "The token lacks a claim the check requires; clear that Require field, or get a token that has it.",
    ),
    (
        "jwt.exp_too_long",
        "Ask for a shorter lifetime, or raise Longest lifetime allowed on the Settings screen.",
    ),
    (
        "jwt.expired",
        "Mint or get a fresh token; short-lived tokens expire within seconds.",
    ),
    (
        "jwt.malformed",
        "A JWT is three base64url parts joined by dots; copy the whole token again.",
    ),
    (
        "jwt.not_yet_valid",
        "The token is not valid yet; check the clocks of both computers, or wait.",
    ),
    (
        "jwt.too_large",
        "Keep custom claims small; a token travels with every request.",
    ),
    // siwe
    (
        "siwe.address_mismatch",
        "Sign with the key whose address the message names, or ask for a message made for this key's address.",
    ),
    (
        "siwe.bad_address",
        "The address must be 0x and 40 hex digits with its checksum (mixed case); copy it again from the wallet.",
    ),
    (
        "siwe.bad_signature",
        "The signature could not be read or made; ask for a new one.",
    ),
    (
        "siwe.bad_time",
        "Times in the message must be written like 2021-09-30T16:25:24Z; ask the site for a new message.",
    ),
    (
        "siwe.domain_mismatch",
        "Do not sign: the site asking is not the site the message names, which is how phishing looks.",
    ),
    (
        "siwe.malformed",
        "This is not a well-formed Sign-In with Ethereum message; ask the site for a new one, and copy it whole if you pasted it.",
    ),
    ("siwe.wrong_key", "Choose a secp256k1 (Ethereum) key."),
    // qr
    (
        "qr.binary_to_terminal",
        "Open the key on the Keys screen to see its QR code.",
    ),
    (
        "qr.empty",
        "There is nothing to put in the QR code; choose a format that has a value.",
    ),
    (
        "qr.image_too_large",
        "The image is too large to read safely; crop it to the part with the code, or take a smaller screenshot.",
    ),
    (
        "qr.none_found",
        "No QR code was found; make sure the whole code is in the image, not too small and not cut off.",
    ),
    (
        "qr.not_an_image",
        "This file is not an image Keyward reads; use a PNG, JPEG, WebP, GIF or BMP picture.",
    ),
    (
        "qr.too_long",
        "A QR code holds only a short text; choose a shorter format, such as an address.",
    ),
    (
        "qr.unreadable",
        "A QR code was found but could not be read; try a sharper or larger image of it.",
    ),
    // service
    (
        "clock.skew",
        "Set this computer's clock right (turn on automatic time in the system settings); short-lived tokens fail when clocks disagree.",
    ),
    (
        "service.bad_profile",
        "Fix the profile on the Services screen, or remove it and add it again.",
    ),
    (
        "service.bad_response",
        "Check on the Services screen that the profile's URL is the service's API root.",
    ),
    (
        "service.bad_response_signature",
        "Do not trust this answer: something between you and the service changed it, or the pinned key is out of date.",
    ),
    (
        "service.error",
        "See the service's own message for what it refused.",
    ),
    (
        "service.exists",
        "Choose another name, or remove the old profile on the Services screen first.",
    ),
    (
        "service.no_credential",
        "This profile holds no admin token; remove it on the Services screen and add it again with the token.",
    ),
    (
        "service.no_such_key",
        "The service does not list that key; pick one of the keys the profile shows on the Services screen.",
    ),
    (
        "service.not_for_kind",
        "This kind of profile does not offer that; see what the profile offers on the Services screen.",
    ),
    (
        "service.not_found",
        "That profile no longer exists; pick one from the list on the Services screen.",
    ),
    (
        "service.not_supported",
        "Turn the feature on in the service (for Engine, enable keypair authentication), then try again.",
    ),
    (
        "service.timeout",
        "The service is slow or unreachable; try again, or check the profile's URL on the Services screen.",
    ),
    (
        "service.unauthorized",
        "The service refused the credentials: check that the key is registered, the token fresh and the admin token valid.",
    ),
    (
        "service.unreachable",
        "Check the profile's URL on the Services screen, and that the service is running.",
    ),
    // endpoint
    (
        "endpoint.bad_mac",
        "Keyward refused a request that did not prove its pairing; if the app keeps failing, unpair it under Approvals and pair it again.",
    ),
    (
        "endpoint.bad_request",
        "The app sent a request Keyward cannot read; nothing was signed.",
    ),
    (
        "endpoint.bad_response_signature",
        "Do not trust this answer: another program may hold Keyward's port; check which program listens on it.",
    ),
    (
        "endpoint.client",
        "Check on the Approvals screen that Keyward's endpoint is running.",
    ),
    (
        "endpoint.expired_nonce",
        "The app waited too long between the steps of its request; let it try again.",
    ),
    (
        "endpoint.foreign_host",
        "The request came through an unexpected address; apps must call Keyward on this computer by 127.0.0.1 or localhost.",
    ),
    (
        "endpoint.foreign_origin",
        "A web page other than the paired one sent this request; pair that page only if you trust it.",
    ),
    (
        "endpoint.key_not_allowed",
        "This app may not use that key; let it pair again and allow the key, if you want it to.",
    ),
    (
        "endpoint.not_found",
        "That request or pairing has already ended; let the app ask again.",
    ),
    (
        "endpoint.pair_cooldown",
        "Pairing pauses for a moment after a refusal or while a prompt is open; wait, then let the app ask again.",
    ),
    (
        "endpoint.pair_denied",
        "The pairing was refused; the app can ask again after a short pause.",
    ),
    (
        "endpoint.pair_expired",
        "Nobody answered the pairing prompt in time; let the app ask again while you are at the screen.",
    ),
    (
        "endpoint.pairing_outdated",
        "An older Keyward paired this app and its old token no longer works; let it pair again.",
    ),
    (
        "endpoint.peer_rejected",
        "Only programs running as your own user may use Keyward.",
    ),
    (
        "endpoint.replay",
        "Keyward refused a repeated request; let the app send it again.",
    ),
    (
        "endpoint.too_large",
        "The app's request is too large for Keyward to accept; nothing was signed.",
    ),
    (
        "endpoint.too_many_pending",
        "Answer the requests already waiting under Approvals first.",
    ),
    (
        "endpoint.unavailable",
        "The endpoint is not running; if its port is taken, choose another on the Settings screen and restart Keyward.",
    ),
    (
        "endpoint.unknown_nonce",
        "Keyward did not recognise the app's request; let the app try again.",
    ),
    (
        "endpoint.unpaired",
        "This app is not paired; let it ask to pair, and approve it in the prompt.",
    ),
    // approval
    ("approval.denied", "The request was refused; nothing was signed."),
    (
        "approval.expired",
        "Nobody answered in time, so nothing was signed; let the app ask again.",
    ),
    (
        "approval.forbidden",
        "This key's usage does not allow the request; change the key's Usage on the Keys screen if you intend it, or use another key.",
    ),
    (
        "approval.no_approver",
        "Keyward had no window to ask you in; keep the app open so it can ask, then try again.",
    ),
    (
        "approval.no_grant",
        "No grant covers this request; approve it in the prompt.",
    ),
    (
        "approval.not_grantable",
        "Approve this request on its own; only tokens with a fixed audience and claims can be allowed for a while.",
    ),
    (
        "approval.payload_mismatch",
        "Nothing was signed, because what would be signed differs from what you saw; let the app send the request again.",
    ),
    (
        "approval.request_mismatch",
        "That answer was for another request; answer each prompt on its own.",
    ),
    ("approval.too_soon", "Read the prompt first, then answer it."),
    (
        "approval.withdrawn",
        "The app withdrew the request before you answered; nothing was signed.",
    ),
    (
        "app.not_found",
        "That app is no longer paired; see the paired apps under Approvals.",
    ),
    (
        "grant.not_found",
        "That grant has ended; see the live grants under Approvals.",
    ),
    // links
    (
        "link.delivery",
        "The app that made the link did not take the answer; ask it for a new link.",
    ),
    (
        "link.disabled",
        "Turn on Handle simplewallet links on the Settings screen, if you expect such links.",
    ),
    (
        "link.expired",
        "The link's request has expired; ask the app for a fresh link.",
    ),
    (
        "link.malformed",
        "The app that made this link sent something Keyward does not accept; nothing was signed.",
    ),
    (
        "link.no_key",
        "On the Keys screen, tag an EOS key simplewallet and eos-account:NAME, where NAME is its EOS account.",
    ),
    (
        "link.rate_limited",
        "Keyward takes only a few links a minute and something may be flooding it; wait before opening another.",
    ),
    (
        "link.too_long",
        "The app that made this link sent something Keyward does not accept; nothing was signed.",
    ),
    (
        "link.unknown_action",
        "The app that made this link asked for something Keyward does not do; nothing was signed.",
    ),
    // the shells
    ("ui.cancelled", "Nothing was done."),
    ("ui.clipboard", "Select the text and copy it by hand."),
    (
        "ui.unexpected",
        "Something went wrong inside Keyward; restarting the app may help.",
    ),
];
