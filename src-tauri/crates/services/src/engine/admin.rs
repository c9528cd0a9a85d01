//! Engine's access tokens on the key-administration seam: listed, created (and sealed as
//! `access-token:<id>` before anything else), renamed, revoked, and checked by calling the
//! token list with the token itself.

use super::{AccessToken, EngineClient, ADMIN_TOKEN};
use crate::admin::{self, Check, Created, KeyAdmin, NewKey, RemoteKey};
use crate::error::{Result, ServiceError};
use crate::http::HttpClient;
use crate::once::Sealed;
use keyward_core::Secret;
use keyward_vault::api::Profile;
use keyward_vault::Backend;
use serde_json::{Map, Value};

/// The access tokens of one Engine profile.
pub struct EngineTokens<'h> {
    profile: Profile,
    client: EngineClient<'h>,
}

impl<'h> EngineTokens<'h> {
    pub fn new(http: &'h dyn HttpClient, profile: Profile) -> Result<EngineTokens<'h>> {
        let client = EngineClient::new(http, &profile)?;
        Ok(EngineTokens { profile, client })
    }

    fn admin_token(&self, b: &mut dyn Backend) -> Result<Secret> {
        Ok(b.credential_get(&self.profile.name, ADMIN_TOKEN)?)
    }

    fn credentials(&self, b: &mut dyn Backend) -> Result<Vec<keyward_vault::api::CredentialInfo>> {
        Ok(b.profile_get(&self.profile.name)?.credentials)
    }
}

/// An access token as a remote key: Engine's own fields (`tokenMask`, `walletAddress`) kept
/// under their names.
impl From<AccessToken> for RemoteKey {
    fn from(t: AccessToken) -> RemoteKey {
        let mut extra = Map::new();
        extra.insert("tokenMask".into(), Value::String(t.token_mask));
        if let Some(w) = t.wallet_address {
            extra.insert("walletAddress".into(), Value::String(w));
        }
        RemoteKey {
            id: t.id,
            label: t.label,
            created_at: t.created_at,
            expires_at: t.expires_at,
            stored: t.stored,
            extra,
        }
    }
}

impl KeyAdmin for EngineTokens<'_> {
    fn profile(&self) -> &str {
        &self.profile.name
    }

    fn noun(&self) -> &'static str {
        "access token"
    }

    fn secret_name(&self, id: &str) -> String {
        format!("access-token:{id}")
    }

    fn list(&self, b: &mut dyn Backend) -> Result<Vec<RemoteKey>> {
        let bearer = self.admin_token(b)?;
        let list = self.client.token_list(bearer.expose())?;
        let creds = self.credentials(b)?;
        Ok(list
            .into_iter()
            .map(|t| {
                let mut k = RemoteKey::from(t);
                k.stored = admin::stored(self, &creds, &k.id);
                k
            })
            .collect())
    }

    /// Engine keeps a label only: a tag goes into it, after the label (`label #tag`).
    fn create(&self, b: &mut dyn Backend, new: NewKey<'_>) -> Result<Created> {
        let bearer = self.admin_token(b)?;
        let label = match (new.label, new.tag) {
            (l, None) => l.map(str::to_string),
            (None, Some(t)) => Some(format!("#{t}")),
            (Some(l), Some(t)) => Some(format!("{l} #{t}")),
        };
        let (info, token) = self
            .client
            .token_create(bearer.expose(), label.as_deref())?;
        let sealed = admin::seal(self, b, &info.id, token);
        let mut key = RemoteKey::from(info);
        key.stored = matches!(sealed, Sealed::Stored { .. });
        Ok(Created {
            key,
            sealed,
            noun: self.noun(),
        })
    }

    fn rename(&self, b: &mut dyn Backend, id: &str, label: Option<&str>) -> Result<()> {
        let bearer = self.admin_token(b)?;
        self.client.token_update(bearer.expose(), id, label)
    }

    fn revoke(&self, b: &mut dyn Backend, id: &str) -> Result<()> {
        let bearer = self.admin_token(b)?;
        self.client.token_revoke(bearer.expose(), id)?;
        let creds = self.credentials(b)?;
        if admin::stored(self, &creds, id) {
            b.credential_delete(&self.profile.name, &self.secret_name(id))?;
        }
        Ok(())
    }

    fn check(&self, b: &mut dyn Backend, id: &str) -> Result<Check> {
        let token = b.credential_get(&self.profile.name, &self.secret_name(id))?;
        match self.client.token_list(token.expose()) {
            Ok(_) => Ok(Check {
                id: id.to_string(),
                works: true,
                status: Some(200),
            }),
            Err(ServiceError::Status {
                status: status @ (401 | 403),
                ..
            }) => Ok(Check {
                id: id.to_string(),
                works: false,
                status: Some(status),
            }),
            Err(e) => Err(e),
        }
    }
}
