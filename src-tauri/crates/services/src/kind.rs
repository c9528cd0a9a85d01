//! Kinds of service: what a profile of each kind can do. A profile names its kind
//! (`Profile.kind`); the shells ask here instead of matching on it, so a new kind adds a
//! variant and its folder (`engine/`, later `apikeys/`, `spv/`…), not an `if` in a shell.
//!
//! | kind | key administration ([`KeyAdmin`]) | JWT mint options | signed requests |
//! |---|---|---|---|
//! | `engine` | access tokens | the PEM and algorithm Engine stored | keypair JWT per call |

use crate::admin::KeyAdmin;
use crate::engine;
use crate::error::{Result, ServiceError};
use crate::http::HttpClient;
use keyward_crypto::jwt::MintOptions;
use keyward_vault::api::Profile;
use keyward_vault::Backend;
use serde::Serialize;

/// A kind of service profile.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "clap", derive(clap::ValueEnum))]
#[serde(rename_all = "kebab-case")]
pub enum Kind {
    /// thirdweb Engine (self-hosted v2).
    Engine,
}

/// What a kind can do, for the shells to offer (the UI shows only what is there).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Abilities {
    /// Remote keys through [`KeyAdmin`] (`service key …`).
    pub key_admin: bool,
    /// What the kind calls its remote keys.
    pub key_noun: &'static str,
    /// Whether minting a JWT for the profile takes its options from the kind.
    pub mint_options: bool,
    /// Whether the kind signs each request itself (`engine call`).
    pub signed_requests: bool,
}

impl Kind {
    /// Every kind, in the order the shells list them.
    pub const ALL: [Kind; 1] = [Kind::Engine];

    /// Its name in profiles and on the command line.
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Engine => engine::KIND,
        }
    }

    /// From a profile's `kind`.
    pub fn parse(s: &str) -> Option<Kind> {
        Kind::ALL.into_iter().find(|k| k.as_str() == s)
    }

    /// The kind of `p`, or a clear error for a kind this build does not know.
    pub fn of(p: &Profile) -> Result<Kind> {
        Kind::parse(&p.kind).ok_or_else(|| {
            ServiceError::BadProfile(format!(
                "{} is a {} profile, which this Keyward does not know",
                p.name, p.kind
            ))
        })
    }

    pub fn abilities(self) -> Abilities {
        match self {
            Kind::Engine => Abilities {
                key_admin: true,
                key_noun: "access token",
                mint_options: true,
                signed_requests: true,
            },
        }
    }
}

/// The key administration of profile `p`.
pub fn key_admin<'h>(p: Profile, http: &'h dyn HttpClient) -> Result<Box<dyn KeyAdmin + 'h>> {
    match Kind::of(&p)? {
        Kind::Engine => Ok(Box::new(engine::EngineTokens::new(http, p)?)),
    }
}

/// Mint options for a JWT from `key` for `profile` (`None`: the options as given): the one
/// place that decides "this profile → these options".
pub fn mint_options(
    b: &mut dyn Backend,
    profile: Option<&str>,
    key: &str,
    opts: MintOptions,
) -> Result<MintOptions> {
    let Some(name) = profile.map(str::trim).filter(|p| !p.is_empty()) else {
        return Ok(opts);
    };
    let p = b.profile_get(name)?;
    match Kind::of(&p)? {
        Kind::Engine => engine::mint_options(b, name, key, opts),
    }
}

/// Mints a JWT from `key`, with the options `profile`'s kind sets (none without a profile).
pub fn mint(
    b: &mut dyn Backend,
    profile: Option<&str>,
    key: &str,
    opts: MintOptions,
) -> Result<keyward_crypto::jwt::Minted> {
    let opts = mint_options(b, profile, key, opts)?;
    Ok(b.jwt_mint(key, opts)?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_round_trip_by_name_and_unknown_ones_are_refused() {
        for k in Kind::ALL {
            assert_eq!(Kind::parse(k.as_str()), Some(k));
        }
        let p = Profile {
            name: "x".into(),
            kind: "gopher".into(),
            base_url: String::new(),
            settings: serde_json::json!({}),
            credentials: vec![],
            created_at: String::new(),
            updated_at: String::new(),
        };
        let e = Kind::of(&p).err().unwrap();
        assert_eq!(keyward_crypto::Coded::code(&e), "service.bad_profile");
    }

    #[test]
    fn engine_administers_access_tokens_and_mints_its_own_way() {
        let a = Kind::Engine.abilities();
        assert!(a.key_admin && a.mint_options && a.signed_requests);
        assert_eq!(a.key_noun, "access token");
    }
}
