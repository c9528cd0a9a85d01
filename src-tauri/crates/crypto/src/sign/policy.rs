//! Usage policies: what a key may be used for (every signature scheme, SIWE sign-ins and
//! JWTs), stored per key; the default is every usage the key's algorithm fits.

use serde::{Deserialize, Serialize};

use super::Scheme;
use crate::error::CryptoError;
use crate::keys::KeyAlg;

/// What a key may be used for: every signature scheme, plus SIWE sign-ins and JWTs.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, ts_rs::TS,
)]
#[serde(rename_all = "lowercase")]
pub enum Usage {
    Raw,
    Eip191,
    Siwe,
    Bsm,
    Eos,
    Ed25519,
    Jwt,
}

impl Usage {
    pub const ALL: [Usage; 7] = [
        Usage::Raw,
        Usage::Eip191,
        Usage::Siwe,
        Usage::Bsm,
        Usage::Eos,
        Usage::Ed25519,
        Usage::Jwt,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Usage::Raw => "raw",
            Usage::Eip191 => "eip191",
            Usage::Siwe => "siwe",
            Usage::Bsm => "bsm",
            Usage::Eos => "eos",
            Usage::Ed25519 => "ed25519",
            Usage::Jwt => "jwt",
        }
    }

    pub fn parse(s: &str) -> Result<Usage, CryptoError> {
        Usage::ALL
            .into_iter()
            .find(|x| x.as_str() == s)
            .ok_or_else(|| CryptoError::UnknownScheme(s.chars().take(32).collect()))
    }

    /// Whether a key of `alg` can do this at all.
    pub fn fits(self, alg: KeyAlg) -> bool {
        match self {
            Usage::Raw => Scheme::Raw.fits(alg),
            Usage::Eip191 | Usage::Siwe | Usage::Bsm | Usage::Eos => alg == KeyAlg::Secp256k1,
            Usage::Ed25519 => alg == KeyAlg::Ed25519,
            Usage::Jwt => true,
        }
    }
}

/// The usages a key allows. The default (no policy stored) is every usage its algorithm fits.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UsagePolicy(pub Vec<Usage>);

impl UsagePolicy {
    /// Every usage `alg` fits.
    pub fn default_for(alg: KeyAlg) -> UsagePolicy {
        UsagePolicy(Usage::ALL.into_iter().filter(|u| u.fits(alg)).collect())
    }

    /// Parses a comma-separated list (`eip191,siwe,jwt`); each entry must fit `alg`.
    pub fn parse(list: &str, alg: KeyAlg) -> Result<UsagePolicy, CryptoError> {
        let mut v = Vec::new();
        for part in list.split(',').map(str::trim).filter(|p| !p.is_empty()) {
            let u = Usage::parse(part)?;
            if !u.fits(alg) {
                return Err(CryptoError::SchemeNotForAlg {
                    scheme: u.as_str().into(),
                    alg: alg.to_string(),
                });
            }
            if !v.contains(&u) {
                v.push(u);
            }
        }
        v.sort();
        Ok(UsagePolicy(v))
    }

    /// The stored form, or `None` when it equals the default.
    pub fn to_stored(&self, alg: KeyAlg) -> Option<String> {
        if *self == UsagePolicy::default_for(alg) {
            None
        } else {
            Some(self.to_string())
        }
    }

    /// Reads the stored form (`None` = the default).
    pub fn from_stored(stored: Option<&str>, alg: KeyAlg) -> UsagePolicy {
        match stored {
            None => UsagePolicy::default_for(alg),
            Some(s) => UsagePolicy(
                s.split(',')
                    .filter_map(|p| Usage::parse(p).ok())
                    .filter(|u| u.fits(alg))
                    .collect(),
            ),
        }
    }

    pub fn allows(&self, u: Usage) -> bool {
        self.0.contains(&u)
    }

    /// `Ok` when the policy allows `u`, else `sign.policy_forbidden`.
    pub fn check(&self, u: Usage) -> Result<(), CryptoError> {
        if self.allows(u) {
            Ok(())
        } else {
            Err(CryptoError::PolicyForbidden(u.as_str().into()))
        }
    }
}

impl std::fmt::Display for UsagePolicy {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let v: Vec<&str> = self.0.iter().map(|u| u.as_str()).collect();
        f.write_str(&v.join(","))
    }
}
