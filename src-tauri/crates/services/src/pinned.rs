//! A pinned key that signs a service's responses: a setting every kind of profile may have
//! (`settings.pinnedKey`, a public key PEM). A profile itself is vault data
//! (`keyward_vault::api::Profile`, stored by the vault); what each kind of profile can do is
//! `crate::kind`; its kind-specific settings live with its client.

use crate::error::{Result, ServiceError};
use keyward_crypto::sign::{self, Verdict};
use keyward_crypto::PublicKey;
use keyward_vault::api::Profile;
use serde_json::Value;

/// The key the profile pins for the service's response signatures, if any.
pub fn pinned_key(p: &Profile) -> Result<Option<PublicKey>> {
    match p.settings.get("pinnedKey").and_then(Value::as_str) {
        None => Ok(None),
        Some(pem) => Ok(Some(PublicKey::from_text(pem, None)?)),
    }
}

/// Pins `pem` (any public key text Keyward reads; stored as SPKI PEM) on the profile.
pub fn pin(p: &mut Profile, pem: &str) -> Result<()> {
    let key = PublicKey::from_text(pem, None)?;
    let obj = p
        .settings
        .as_object_mut()
        .ok_or_else(|| ServiceError::BadProfile("settings are not an object".into()))?;
    obj.insert("pinnedKey".into(), key.spki_pem().into());
    Ok(())
}

/// Checks a response body's detached signature (`signature`: base64 or hex) against the
/// pinned key. No pinned key is an error: a check asked for must not pass by default.
pub fn verify_response(p: &Profile, body: &[u8], signature: &str) -> Result<Verdict> {
    let key = pinned_key(p)?.ok_or_else(|| {
        ServiceError::BadProfile(format!("{} pins no response-signing key", p.name))
    })?;
    let sig = sign::decode_signature(sign::Scheme::Raw, signature)?;
    let v = sign::verify_detached(&key, body, &sig)?;
    if !v.valid {
        return Err(ServiceError::ResponseSignature(v.reason));
    }
    Ok(v)
}

#[cfg(test)]
mod tests {
    use super::*;
    use keyward_crypto::{KeyAlg, PrivateKey};
    use serde_json::json;

    fn profile() -> Profile {
        Profile {
            name: "svc".into(),
            kind: "engine".into(),
            base_url: "http://127.0.0.1:1".into(),
            settings: json!({}),
            credentials: vec![],
            created_at: String::new(),
            updated_at: String::new(),
        }
    }

    #[test]
    fn responses_signed_by_the_pinned_key_verify_and_others_do_not() {
        for alg in [KeyAlg::Rsa2048, KeyAlg::Secp256k1, KeyAlg::P256] {
            let key = PrivateKey::generate(alg).unwrap();
            let mut p = profile();
            assert!(verify_response(&p, b"{}", "00").is_err(), "nothing pinned");
            pin(&mut p, &key.public().spki_pem()).unwrap();
            let body = br#"{"result":"ok"}"#;
            let sig = match alg {
                KeyAlg::Rsa2048 => {
                    let signer = keyward_crypto::sign::Signer::new(&key).unwrap();
                    signer
                        .sign_jws(keyward_crypto::sign::JwsAlg::RS256, body)
                        .unwrap()
                }
                _ => {
                    keyward_crypto::sign::sign(
                        &key,
                        keyward_crypto::sign::Scheme::Raw,
                        keyward_crypto::sign::Payload::Message(body),
                        keyward_crypto::sign::Encoding::Der,
                    )
                    .unwrap()
                    .bytes
                }
            };
            use base64::Engine;
            let b64 = base64::engine::general_purpose::STANDARD.encode(&sig);
            assert!(verify_response(&p, body, &b64).unwrap().valid, "{alg}");
            let e = verify_response(&p, br#"{"result":"forged"}"#, &b64).unwrap_err();
            assert_eq!(
                keyward_crypto::Coded::code(&e),
                "service.bad_response_signature"
            );
        }
    }
}
