//! Signing, JWT minting and SIWE inside the vault: the key is unsealed for the one operation,
//! the usage policy is checked first, and the audit log gets the digest or the token's shape —
//! never the message, never the token.

use super::{policy_of, Vault};
use crate::api::*;
use crate::error::{Result, VaultError};
use keyward_crypto::sign::{Payload, Signer, UsagePolicy};
use keyward_crypto::{jwt, siwe, CryptoError, KeyAlg, PublicKey};

fn short(hex: &str) -> &str {
    &hex[..hex.len().min(16)]
}

impl Vault {
    pub(crate) fn set_policy(&mut self, key: &str, allow: Option<Vec<Usage>>) -> Result<KeyInfo> {
        self.vault_key()?;
        let mut row = self.index.resolve(key)?;
        let alg = KeyAlg::parse(&row.alg)?;
        let policy = match allow {
            None => UsagePolicy::default_for(alg),
            Some(list) => {
                let text: Vec<&str> = list.iter().map(|u| u.as_str()).collect();
                UsagePolicy::parse(&text.join(","), alg)?
            }
        };
        let stored = policy.to_stored(alg);
        self.index.set_usage(&row.id, stored.as_deref())?;
        // The approval broker checks the policy it holds: it must look again.
        self.approvals_changes += 1;
        row.usage = stored;
        self.log(
            "key.policy",
            Some(&row.id),
            &format!("usage of {:?} set to {}", row.label, policy),
        )?;
        Ok(super::info(&row))
    }

    pub(crate) fn sign_with(&mut self, req: SignRequest) -> Result<Signature> {
        self.vault_key()?;
        let row = self.index.resolve(&req.key)?;
        let alg = KeyAlg::parse(&row.alg)?;
        // What the key cannot do at all is said before what its policy forbids.
        if !req.scheme.fits(alg) {
            return Err(CryptoError::SchemeNotForAlg {
                scheme: req.scheme.as_str().into(),
                alg: alg.to_string(),
            }
            .into());
        }
        policy_of(&row).check(req.scheme.usage())?;
        let (bytes, is_digest) = req.input.bytes()?;
        let payload = if is_digest {
            Payload::Digest(&bytes)
        } else {
            Payload::Message(&bytes)
        };
        let key = self.private_key(&row)?;
        let sig = Signer::new(&key)?.sign(req.scheme, payload, req.encoding)?;
        let what = match &sig.digest {
            Some(d) => format!("digest {}…", short(d)),
            None => format!("{} bytes", bytes.len()),
        };
        self.log(
            "key.sign",
            Some(&row.id),
            &format!("signed with {} ({what})", req.scheme),
        )?;
        Ok(sig)
    }

    pub(crate) fn verify_with(&mut self, req: VerifyRequest) -> Result<Verdict> {
        let stored = match &req.key {
            Some(k) => {
                self.id()?;
                Some(PublicKey::from_spki_der(&self.index.resolve(k)?.spki)?)
            }
            None => None,
        };
        req.verify(stored)
    }

    pub(crate) fn mint(&mut self, key: &str, mut options: MintOptions) -> Result<Minted> {
        self.vault_key()?;
        // What the caller did not choose comes from the settings (`jwt-default-exp`,
        // `jwt-max-exp`).
        let settings = self.read_settings()?;
        options.exp_secs = options.exp_secs.or(Some(settings.jwt_default_exp_secs));
        options.max_exp_secs = options.max_exp_secs.or(Some(settings.jwt_max_exp_secs));
        let row = self.index.resolve(key)?;
        policy_of(&row).check(Usage::Jwt)?;
        let public = PublicKey::from_spki_der(&row.spki)?;
        let private = self.private_key(&row)?;
        let minted = jwt::mint(&Signer::new(&private)?, &public, &options, self.unix_now())?;
        let alg = minted.header["alg"].as_str().unwrap_or("?");
        // Read by people in Activity: "minted a thirdweb Engine ES256 token", "minted an EdDSA
        // token" (of the JWS names only PS… reads with "a").
        let what = match options.mode {
            jwt::Mode::Engine => format!("a thirdweb Engine {alg}"),
            jwt::Mode::Generic if alg.starts_with('P') => format!("a {alg}"),
            jwt::Mode::Generic => format!("an {alg}"),
        };
        let exp = minted.expires_at - minted.claims["iat"].as_i64().unwrap_or(0);
        let aud = match &minted.claims.get("aud") {
            Some(a) => format!(", aud {a}"),
            None => String::new(),
        };
        self.log(
            "jwt.mint",
            Some(&row.id),
            &format!("minted {what} token, {exp} s{aud}"),
        )?;
        Ok(minted)
    }

    pub(crate) fn verify_jwt(&mut self, req: JwtVerifyRequest) -> Result<Verified> {
        let public = match (&req.key, &req.pubkey) {
            (Some(k), None) => {
                self.id()?;
                PublicKey::from_spki_der(&self.index.resolve(k)?.spki)?
            }
            (None, Some(p)) => PublicKey::from_text(p, None)?,
            _ => {
                return Err(VaultError::Usage(
                    "give exactly one of a key or a public key".into(),
                ))
            }
        };
        Ok(jwt::verify(
            &req.token,
            &public,
            &req.options,
            self.unix_now(),
        )?)
    }

    pub(crate) fn sign_siwe(&mut self, key: &str, message: &str) -> Result<SiweSigned> {
        self.vault_key()?;
        let row = self.index.resolve(key)?;
        if KeyAlg::parse(&row.alg)? != KeyAlg::Secp256k1 {
            return Err(CryptoError::SchemeNotForAlg {
                scheme: "siwe".into(),
                alg: row.alg.clone(),
            }
            .into());
        }
        policy_of(&row).check(Usage::Siwe)?;
        let msg = siwe::parse(message).map_err(CryptoError::from)?;
        let private = self.private_key(&row)?;
        let sig = siwe::sign(&private, &msg).map_err(CryptoError::from)?;
        self.log(
            "siwe.sign",
            Some(&row.id),
            &format!(
                "signed in to {} (chain {}, nonce {})",
                msg.domain, msg.chain_id, msg.nonce
            ),
        )?;
        Ok(SiweSigned {
            message: msg.to_message(),
            signature: format!("0x{}", hex::encode(sig)),
            address: msg.address.clone(),
        })
    }
}
