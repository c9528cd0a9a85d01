//! Sessions with a service that logs in (an API-key service's email and password, a tenant's
//! passkey, a cluster's AppRole): the seam each such kind implements ([`Login`]), and the one
//! policy every kind shares ([`Session`]):
//!
//! * the token is sealed in the vault with its expiry (credential `session`), never kept in
//!   the index or shown;
//! * a token with less than [`RENEW_BEFORE_SECS`] left is renewed, or, when the kind cannot
//!   renew, replaced by a fresh login;
//! * a call the service refuses as unauthorised (401) logs in again **once** and is retried
//!   once; a second refusal is the caller's error;
//! * logout tells the service and forgets the token, whatever the service answered.
//!
//! Time comes from the one [`Clock`].

use crate::error::{Result, ServiceError};
use keyward_core::Clock;
use keyward_core::Secret;
use keyward_vault::Backend;
use serde::{Deserialize, Serialize};

/// The credential a session's token is sealed under.
pub const SESSION_CREDENTIAL: &str = "session";

/// Renew (or log in again) when a token has less than this left.
pub const RENEW_BEFORE_SECS: i64 = 60;

/// A token a service issued.
pub struct Issued {
    pub token: Secret,
    /// Unix seconds; `None` when the service does not say (then only a 401 ends it).
    pub expires_at: Option<i64>,
}

/// How a kind of service logs in. The credentials it logs in with live in the vault (the
/// profile's own credentials), so `login` reads them from `b`.
pub trait Login {
    /// A fresh token from the stored login credentials.
    fn login(&self, b: &mut dyn Backend) -> Result<Issued>;
    /// A renewed token from a live one; `Ok(None)` when the kind cannot renew.
    fn renew(&self, b: &mut dyn Backend, token: &str) -> Result<Option<Issued>>;
    /// Ends the session at the service.
    fn logout(&self, b: &mut dyn Backend, token: &str) -> Result<()>;
}

/// The sealed form: the token and its expiry, as one credential.
#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Stored {
    #[serde(with = "keyward_core::secret::wire")]
    token: Secret,
    #[serde(default)]
    expires_at: Option<i64>,
}

/// The session of one profile.
pub struct Session<'a> {
    pub profile: &'a str,
    pub login: &'a dyn Login,
    pub clock: &'a dyn Clock,
}

impl Session<'_> {
    fn seal(&self, b: &mut dyn Backend, issued: &Issued) -> Result<()> {
        let stored = Stored {
            token: issued.token.clone(),
            expires_at: issued.expires_at,
        };
        let text = Secret::from(serde_json::to_string(&stored).expect("JSON"));
        drop(stored);
        b.credential_put(self.profile, SESSION_CREDENTIAL, text)?;
        Ok(())
    }

    fn unseal(&self, b: &mut dyn Backend) -> Result<Option<Stored>> {
        let has = b
            .profile_get(self.profile)?
            .credentials
            .iter()
            .any(|c| c.name == SESSION_CREDENTIAL);
        if !has {
            return Ok(None);
        }
        let text = b.credential_get(self.profile, SESSION_CREDENTIAL)?;
        Ok(serde_json::from_str(text.expose()).ok())
    }

    fn fresh_login(&self, b: &mut dyn Backend) -> Result<Secret> {
        let issued = self.login.login(b)?;
        self.seal(b, &issued)?;
        Ok(issued.token)
    }

    /// A live token: the sealed one while it has time left, else a renewed one, else a fresh
    /// login.
    pub fn token(&self, b: &mut dyn Backend) -> Result<Secret> {
        let Some(stored) = self.unseal(b)? else {
            return self.fresh_login(b);
        };
        let token = stored.token;
        let now = self.clock.now();
        match stored.expires_at {
            Some(exp) if exp - now < RENEW_BEFORE_SECS => {}
            _ => return Ok(token),
        }
        if stored.expires_at.is_some_and(|exp| exp > now) {
            if let Some(issued) = self.login.renew(b, token.expose())? {
                self.seal(b, &issued)?;
                return Ok(issued.token);
            }
        }
        self.fresh_login(b)
    }

    /// Runs `call` with a live token; when the service answers 401, logs in again once and
    /// retries once.
    pub fn call<T>(
        &self,
        b: &mut dyn Backend,
        mut call: impl FnMut(&mut dyn Backend, &str) -> Result<T>,
    ) -> Result<T> {
        let token = self.token(b)?;
        match call(b, token.expose()) {
            Err(ServiceError::Status { status: 401, .. }) => {
                let token = self.fresh_login(b)?;
                call(b, token.expose())
            }
            other => other,
        }
    }

    /// Logs out at the service (when a session is held) and forgets the token either way.
    pub fn logout(&self, b: &mut dyn Backend) -> Result<()> {
        let Some(stored) = self.unseal(b)? else {
            return Ok(());
        };
        let told = self.login.logout(b, stored.token.expose());
        b.credential_delete(self.profile, SESSION_CREDENTIAL)?;
        told
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testutil::vault;
    use keyward_core::ManualClock;
    use std::cell::RefCell;

    /// A service in memory: tokens `t1`, `t2`… valid for `ttl` seconds; it can forget every
    /// token (a server restart), and may or may not renew.
    struct Memory {
        clock: ManualClock,
        ttl: i64,
        renews: bool,
        issued: RefCell<u32>,
        valid: RefCell<Vec<(String, i64)>>,
        log: RefCell<Vec<String>>,
    }

    impl Memory {
        fn new(clock: &ManualClock, renews: bool) -> Memory {
            Memory {
                clock: clock.clone(),
                ttl: 600,
                renews,
                issued: RefCell::new(0),
                valid: RefCell::new(vec![]),
                log: RefCell::new(vec![]),
            }
        }
        fn issue(&self, how: &str) -> Issued {
            *self.issued.borrow_mut() += 1;
            let t = format!("t{}", self.issued.borrow());
            let exp = self.clock.now() + self.ttl;
            self.valid.borrow_mut().push((t.clone(), exp));
            self.log.borrow_mut().push(format!("{how} {t}"));
            Issued {
                token: Secret::from(t),
                expires_at: Some(exp),
            }
        }
        fn serve(&self, token: &str) -> Result<String> {
            let now = self.clock.now();
            if self
                .valid
                .borrow()
                .iter()
                .any(|(t, exp)| t == token && *exp > now)
            {
                Ok(format!("ok with {token}"))
            } else {
                Err(ServiceError::Status {
                    status: 401,
                    code: None,
                    message: "unauthorized".into(),
                })
            }
        }
    }

    impl Login for Memory {
        fn login(&self, _b: &mut dyn Backend) -> Result<Issued> {
            Ok(self.issue("login"))
        }
        fn renew(&self, _b: &mut dyn Backend, token: &str) -> Result<Option<Issued>> {
            if !self.renews {
                return Ok(None);
            }
            self.serve(token)?;
            Ok(Some(self.issue("renew")))
        }
        fn logout(&self, _b: &mut dyn Backend, token: &str) -> Result<()> {
            self.valid.borrow_mut().retain(|(t, _)| t != token);
            self.log.borrow_mut().push(format!("logout {token}"));
            Ok(())
        }
    }

    #[test]
    fn a_token_is_sealed_reused_renewed_before_expiry_and_forgotten_at_logout() {
        let (_d, mut v) = vault();
        let clock = ManualClock::at(1_000);
        let svc = Memory::new(&clock, true);
        let s = Session {
            profile: "svc",
            login: &svc,
            clock: &clock,
        };
        assert_eq!(s.call(&mut v, |_, t| svc.serve(t)).unwrap(), "ok with t1");
        // Sealed with its expiry, in the keychain.
        let sealed = v.credential_get("svc", SESSION_CREDENTIAL).unwrap();
        assert_eq!(sealed.expose(), r#"{"token":"t1","expiresAt":1600}"#);
        clock.advance(100);
        assert_eq!(s.call(&mut v, |_, t| svc.serve(t)).unwrap(), "ok with t1");
        // Within a minute of its end: renewed, not a new login.
        clock.advance(450);
        assert_eq!(s.call(&mut v, |_, t| svc.serve(t)).unwrap(), "ok with t2");
        s.logout(&mut v).unwrap();
        assert!(v.credential_get("svc", SESSION_CREDENTIAL).is_err());
        assert_eq!(*svc.log.borrow(), ["login t1", "renew t2", "logout t2"]);
    }

    #[test]
    fn a_refused_token_logs_in_again_once_and_an_expired_one_without_renewal_too() {
        let (_d, mut v) = vault();
        let clock = ManualClock::at(1_000);
        let svc = Memory::new(&clock, false);
        let s = Session {
            profile: "svc",
            login: &svc,
            clock: &clock,
        };
        s.token(&mut v).unwrap();
        // The service forgot its tokens: one 401, one fresh login, one retry.
        svc.valid.borrow_mut().clear();
        assert_eq!(s.call(&mut v, |_, t| svc.serve(t)).unwrap(), "ok with t2");
        // Expired and the kind cannot renew: a fresh login, no renew.
        clock.advance(700);
        assert_eq!(s.call(&mut v, |_, t| svc.serve(t)).unwrap(), "ok with t3");
        assert_eq!(*svc.log.borrow(), ["login t1", "login t2", "login t3"]);
        // A service that refuses every token: one retry only, then the error.
        let mut tries = 0;
        let e = s
            .call(&mut v, |_, _| -> Result<()> {
                tries += 1;
                Err(ServiceError::Status {
                    status: 401,
                    code: None,
                    message: "no".into(),
                })
            })
            .unwrap_err();
        assert_eq!(tries, 2);
        assert_eq!(keyward_crypto::Coded::code(&e), "service.unauthorized");
    }
}
