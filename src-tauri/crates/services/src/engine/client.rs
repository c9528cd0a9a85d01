//! Engine's wire: one base URL, its paths (a profile may override them) and the header the
//! bearer goes in; answers unwrapped from `{"result": …}` and errors mapped to their codes.

use super::{AccessToken, Health, Keypair, DEFAULT_PATHS, KIND};
use crate::error::{Result, ServiceError};
use crate::http::{HttpClient, HttpRequest, HttpResponse};
use keyward_core::Secret;
use keyward_vault::api::Profile;
use serde_json::{json, Value};
use std::collections::BTreeMap;

/// Engine's wire: one base URL, its paths and the header the bearer goes in.
pub struct EngineClient<'h> {
    http: &'h dyn HttpClient,
    base: String,
    paths: BTreeMap<String, String>,
    auth_header: String,
}

fn result_of(r: &HttpResponse) -> Result<Value> {
    let v = r.json()?;
    if (200..300).contains(&r.status) {
        return Ok(v.get("result").cloned().unwrap_or(v));
    }
    Err(status_error(r.status, &v))
}

/// Engine's errors: `{"error":"Unauthorized","message":…}` (401) or
/// `{"error":{"code","message","statusCode"}}`.
fn status_error(status: u16, v: &Value) -> ServiceError {
    let (code, message) = match v.get("error") {
        Some(Value::Object(e)) => (
            e.get("code").and_then(Value::as_str).map(str::to_string),
            e.get("message")
                .and_then(Value::as_str)
                .unwrap_or("")
                .to_string(),
        ),
        Some(Value::String(s)) => (
            Some(s.clone()),
            v.get("message")
                .and_then(Value::as_str)
                .unwrap_or(s)
                .to_string(),
        ),
        _ => (
            None,
            v.get("message")
                .and_then(Value::as_str)
                .unwrap_or("")
                .to_string(),
        ),
    };
    ServiceError::Status {
        status,
        code,
        message: message.chars().take(500).collect(),
    }
}

impl<'h> EngineClient<'h> {
    pub fn new(http: &'h dyn HttpClient, profile: &Profile) -> Result<EngineClient<'h>> {
        if profile.kind != KIND {
            return Err(ServiceError::BadProfile(format!(
                "{} is a {} profile, not an Engine one",
                profile.name, profile.kind
            )));
        }
        let mut paths: BTreeMap<String, String> = DEFAULT_PATHS
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        if let Some(Value::Object(o)) = profile.settings.get("paths") {
            for (k, v) in o {
                if let Some(s) = v.as_str() {
                    paths.insert(k.clone(), s.to_string());
                }
            }
        }
        let auth_header = profile
            .settings
            .pointer("/headers/authorization")
            .and_then(Value::as_str)
            .unwrap_or("authorization")
            .to_string();
        Ok(EngineClient {
            http,
            base: profile.base_url.trim_end_matches('/').to_string(),
            paths,
            auth_header,
        })
    }

    fn url(&self, path: &str) -> String {
        let p = self.paths.get(path).map(String::as_str).unwrap_or(path);
        format!("{}{}", self.base, p)
    }

    fn authed(&self, method: &str, path: &str, bearer: &str) -> HttpRequest {
        HttpRequest::new(method, self.url(path))
            .header(&self.auth_header, format!("Bearer {bearer}"))
    }

    fn post(&self, path: &str, bearer: &str, body: Value) -> Result<Value> {
        let req = self
            .authed("POST", path, bearer)
            .json_body(serde_json::to_vec(&body).expect("JSON"));
        result_of(&self.http.send(&req)?)
    }

    fn get(&self, path: &str, bearer: &str) -> Result<Value> {
        result_of(&self.http.send(&self.authed("GET", path, bearer))?)
    }

    pub fn health(&self) -> Result<Health> {
        let r = self
            .http
            .send(&HttpRequest::new("GET", self.url("health")))?;
        let v = result_of(&r)?;
        let mut h: Health = serde_json::from_value(v)
            .map_err(|e| ServiceError::BadResponse(format!("health: {e}")))?;
        h.keypair_auth = h.features.iter().any(|f| f == "KEYPAIR_AUTH");
        h.clock_offset_secs = r.clock_offset_secs;
        Ok(h)
    }

    pub fn keypair_add(
        &self,
        bearer: &str,
        pem: &str,
        alg: &str,
        label: Option<&str>,
    ) -> Result<Keypair> {
        let mut body = json!({"publicKey": pem, "algorithm": alg});
        if let Some(l) = label {
            body["label"] = l.into();
        }
        let v = self.post("keypairAdd", bearer, body)?;
        serde_json::from_value(v.get("keypair").cloned().unwrap_or(v))
            .map_err(|e| ServiceError::BadResponse(format!("keypair: {e}")))
    }

    pub fn keypair_list(&self, bearer: &str) -> Result<Vec<Keypair>> {
        serde_json::from_value(self.get("keypairList", bearer)?)
            .map_err(|e| ServiceError::BadResponse(format!("keypairs: {e}")))
    }

    pub fn keypair_remove(&self, bearer: &str, hash: &str) -> Result<()> {
        self.post("keypairRemove", bearer, json!({"hash": hash}))?;
        Ok(())
    }

    /// Creates an access token: the answer holds the token itself, once.
    pub fn token_create(&self, bearer: &str, label: Option<&str>) -> Result<(AccessToken, Secret)> {
        let mut body = json!({});
        if let Some(l) = label {
            body["label"] = l.into();
        }
        let mut v = self.post("tokenCreate", bearer, body)?;
        let token = v
            .get_mut("accessToken")
            .and_then(|t| t.as_str().map(|s| Secret::from(s.to_string())))
            .ok_or_else(|| ServiceError::BadResponse("no accessToken in the answer".into()))?;
        if let Some(o) = v.as_object_mut() {
            o.remove("accessToken");
        }
        let info: AccessToken = serde_json::from_value(v)
            .map_err(|e| ServiceError::BadResponse(format!("access token: {e}")))?;
        Ok((info, token))
    }

    pub fn token_list(&self, bearer: &str) -> Result<Vec<AccessToken>> {
        serde_json::from_value(self.get("tokenList", bearer)?)
            .map_err(|e| ServiceError::BadResponse(format!("access tokens: {e}")))
    }

    pub fn token_update(&self, bearer: &str, id: &str, label: Option<&str>) -> Result<()> {
        self.post("tokenUpdate", bearer, json!({"id": id, "label": label}))?;
        Ok(())
    }

    pub fn token_revoke(&self, bearer: &str, id: &str) -> Result<()> {
        self.post("tokenRevoke", bearer, json!({"id": id}))?;
        Ok(())
    }

    /// Any endpoint, with `bearer` (a fresh keypair JWT) and an optional body sent as given.
    pub fn call(
        &self,
        method: &str,
        path: &str,
        bearer: &str,
        body: Option<Vec<u8>>,
    ) -> Result<HttpResponse> {
        let url = format!("{}/{}", self.base, path.trim_start_matches('/'));
        let mut req =
            HttpRequest::new(method, url).header(&self.auth_header, format!("Bearer {bearer}"));
        if let Some(b) = body {
            req = req.json_body(b);
        }
        self.http.send(&req)
    }
}
