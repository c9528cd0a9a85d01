//! A request cleared for signing: [`Authorized`], the only holder of the bytes to sign. It
//! has no public constructor, no `Deserialize` and no setters; it is built only by
//! [`crate::decision::authorize`] (the user approved what the prompt showed) and
//! [`crate::grant::Grants::authorize`] (a live grant covers the request), so a signer that
//! takes its bytes from an `Authorized` signs nothing else. It carries the grant its decision
//! asked to keep: a [`GrantSpec`] of some [`Scope`], checked against the kind.
//!
//! [`crate::decision`] and [`crate::grant`] both build on this module; neither imports the
//! other. [`GrantSpec`] and [`Scope`] are re-exported in [`crate::grant`].

use keyward_crypto::KeyAlg;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::error::ApprovalError;
use crate::request::{AppIdentity, JwtTemplate, Kind, Request};

/// A request cleared for signing. The only holder of the bytes to sign.
#[derive(Debug)]
pub struct Authorized {
    request_id: String,
    app: AppIdentity,
    origin: Option<String>,
    key_id: String,
    key_alg: KeyAlg,
    kind: Kind,
    payload: Vec<u8>,
    rendered_hash: String,
    grant: Option<GrantSpec>,
    granted_by: Option<String>,
}

impl Authorized {
    /// Built only by [`crate::decision::authorize`] and [`crate::grant::Grants::authorize`].
    pub(crate) fn new(
        req: &Request,
        rendered_hash: String,
        grant: Option<GrantSpec>,
        granted_by: Option<String>,
    ) -> Authorized {
        Authorized {
            request_id: req.id.clone(),
            app: req.app.clone(),
            origin: req.origin.clone(),
            key_id: req.key_id.clone(),
            key_alg: req.key_alg,
            kind: req.kind.clone(),
            payload: req.payload.clone(),
            rendered_hash,
            grant,
            granted_by,
        }
    }

    /// The request's id.
    pub fn request_id(&self) -> &str {
        &self.request_id
    }
    /// The app that asked.
    pub fn app(&self) -> &AppIdentity {
        &self.app
    }
    /// The origin the app gave.
    pub fn origin(&self) -> Option<&str> {
        self.origin.as_deref()
    }
    /// The key to sign with.
    pub fn key_id(&self) -> &str {
        &self.key_id
    }
    /// The key's algorithm.
    pub fn key_alg(&self) -> KeyAlg {
        self.key_alg
    }
    /// What to do.
    pub fn kind(&self) -> &Kind {
        &self.kind
    }
    /// The exact bytes the user approved (empty for a JWT: see [`Authorized::jwt_claims`]).
    pub fn payload(&self) -> &[u8] {
        &self.payload
    }
    /// The hash the decision carried (for the audit log).
    pub fn rendered_hash(&self) -> &str {
        &self.rendered_hash
    }
    /// The grant the decision asked to keep.
    pub fn grant(&self) -> Option<&GrantSpec> {
        self.grant.as_ref()
    }
    /// The id of the grant that allowed this, when no prompt was shown.
    pub fn granted_by(&self) -> Option<&str> {
        self.granted_by.as_deref()
    }

    /// For a JWT: the claims to sign, stamped now — the template's claims, then `aud` (a
    /// string when there is one audience), `sub`, `iat` = `now` and `exp` = `now` +
    /// `exp_secs`, which override any claim of the same name in the template. `None` for
    /// other kinds.
    pub fn jwt_claims(&self, now: i64) -> Option<Map<String, Value>> {
        let Kind::MintJwt { template } = &self.kind else {
            return None;
        };
        Some(stamp(template, now))
    }
}

fn stamp(t: &JwtTemplate, now: i64) -> Map<String, Value> {
    let mut c = t.claims.clone();
    c.insert(
        "aud".into(),
        match t.aud.as_slice() {
            [one] => Value::from(one.clone()),
            many => Value::from(many.to_vec()),
        },
    );
    match &t.sub {
        Some(s) => c.insert("sub".into(), Value::from(s.clone())),
        None => c.remove("sub"),
    };
    c.insert("iat".into(), Value::from(now));
    c.insert(
        "exp".into(),
        Value::from(now.saturating_add(i64::try_from(t.exp_secs).unwrap_or(i64::MAX))),
    );
    c
}

/// How long a grant lasts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "scope", content = "minutes", rename_all = "snake_case")]
pub enum Scope {
    /// This request only; nothing is stored.
    Once,
    /// N minutes from the decision.
    ForMinutes(u32),
    /// Until the vault locks.
    UntilLock,
}

/// The longest grant, in minutes (a day).
pub const MAX_GRANT_MINUTES: u32 = 1440;

fn bad() -> String {
    format!("a grant is once, N minutes (1-{MAX_GRANT_MINUTES}: for_minutes, or Nm) or until lock")
}

/// The grant a decision asks for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GrantSpec {
    /// How long.
    pub scope: Scope,
}

impl GrantSpec {
    /// A grant as a prompt names it: `once`; `until_lock` (or `lock`); `for_minutes` with
    /// `minutes`, or `Nm`; minutes from 1 to 1440. The error says what is accepted.
    pub fn parse(choice: &str, minutes: Option<u32>) -> Result<GrantSpec, String> {
        let in_range = |m: u32| (1..=MAX_GRANT_MINUTES).contains(&m).then_some(m);
        let scope = match (choice.trim(), minutes) {
            ("once", _) => Scope::Once,
            ("until_lock" | "lock", _) => Scope::UntilLock,
            ("for_minutes", Some(m)) => Scope::ForMinutes(in_range(m).ok_or_else(bad)?),
            (short, None) => Scope::ForMinutes(
                short
                    .strip_suffix('m')
                    .and_then(|n| n.parse().ok())
                    .and_then(in_range)
                    .ok_or_else(bad)?,
            ),
            _ => return Err(bad()),
        };
        Ok(GrantSpec { scope })
    }

    /// `approval.not_grantable` unless the scope is `Once` or the kind is bounded.
    pub fn check(&self, kind: &Kind) -> Result<(), ApprovalError> {
        if self.scope == Scope::Once || kind.grantable() {
            Ok(())
        } else {
            Err(ApprovalError::NotGrantable {
                kind: kind.name().into(),
            })
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn grant_choices_parse_in_both_spellings() {
        use super::{GrantSpec, Scope};
        let scope = |c: &str, m| GrantSpec::parse(c, m).map(|g| g.scope);
        assert_eq!(scope("once", None), Ok(Scope::Once));
        assert_eq!(scope("lock", None), Ok(Scope::UntilLock));
        assert_eq!(scope("until_lock", None), Ok(Scope::UntilLock));
        assert_eq!(scope("5m", None), Ok(Scope::ForMinutes(5)));
        assert_eq!(scope("for_minutes", Some(60)), Ok(Scope::ForMinutes(60)));
        for (c, m) in [
            ("for_minutes", None),
            ("for_minutes", Some(0)),
            ("1441m", None),
            ("5", None),
            ("soon", None),
        ] {
            assert!(GrantSpec::parse(c, m).is_err(), "{c} {m:?}");
        }
    }
}
