//! [`Secret`]: a string that is a secret (a passphrase, a token, an API key, a private export),
//! in the spirit of GitButler's `Sensitive`. It is zeroized when dropped, its `Debug` prints
//! `<redacted>`, and it does not implement `Serialize`: a secret reaches a wire only through a
//! field that opts in with `#[serde(with = "keyward_core::secret::wire")]` (the agent's
//! requests, a reveal), so a log line or a view cannot carry one by accident.

use serde::{Deserialize, Deserializer, Serializer};
use zeroize::Zeroizing;

/// A secret string. Read it with [`Secret::expose`], on purpose.
///
/// It has no `Serialize`:
///
/// ```compile_fail
/// fn serialisable<T: serde::Serialize>() {}
/// serialisable::<keyward_core::Secret>();
/// ```
#[derive(Clone, Default, PartialEq, Eq)]
pub struct Secret(Zeroizing<String>);

impl Secret {
    pub fn new(s: impl Into<String>) -> Secret {
        Secret(Zeroizing::new(s.into()))
    }
    /// The secret itself.
    pub fn expose(&self) -> &str {
        self.0.as_str()
    }
    /// The secret as the zeroizing string it is held in.
    pub fn into_zeroizing(self) -> Zeroizing<String> {
        self.0
    }
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl From<Zeroizing<String>> for Secret {
    fn from(z: Zeroizing<String>) -> Secret {
        Secret(z)
    }
}

impl From<String> for Secret {
    fn from(s: String) -> Secret {
        Secret(Zeroizing::new(s))
    }
}

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("<redacted>")
    }
}

/// The explicit way a [`Secret`] (or `Option<Secret>`) crosses a wire:
/// `#[serde(with = "keyward_core::secret::wire")]`.
pub mod wire {
    use super::*;

    pub fn serialize<S: Serializer, T: Wire>(v: &T, s: S) -> Result<S::Ok, S::Error> {
        v.put(s)
    }

    pub fn deserialize<'de, D: Deserializer<'de>, T: Wire>(d: D) -> Result<T, D::Error> {
        T::take(d)
    }

    /// What `wire` can carry: a secret or an optional one.
    pub trait Wire: Sized {
        fn put<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error>;
        fn take<'de, D: Deserializer<'de>>(d: D) -> Result<Self, D::Error>;
    }

    impl Wire for Secret {
        fn put<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
            s.serialize_str(self.expose())
        }
        fn take<'de, D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
            Ok(Secret(Zeroizing::new(String::deserialize(d)?)))
        }
    }

    impl Wire for Option<Secret> {
        fn put<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
            match self {
                Some(x) => s.serialize_some(x.expose()),
                None => s.serialize_none(),
            }
        }
        fn take<'de, D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
            Ok(Option::<String>::deserialize(d)?.map(|x| Secret(Zeroizing::new(x))))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::{Deserialize, Serialize};

    #[derive(Serialize, Deserialize)]
    struct Carrier {
        #[serde(with = "wire")]
        pass: Secret,
        #[serde(with = "wire", default)]
        maybe: Option<Secret>,
    }

    #[test]
    fn debug_never_shows_it() {
        let s = Secret::new("hunter2");
        assert_eq!(format!("{s:?}"), "<redacted>");
        assert_eq!(format!("{:?}", Some(&s)), "Some(<redacted>)");
    }

    #[test]
    fn it_crosses_a_wire_only_through_a_field_that_opts_in() {
        let c = Carrier {
            pass: Secret::new("p"),
            maybe: None,
        };
        let text = serde_json::to_string(&c).unwrap();
        assert_eq!(text, r#"{"pass":"p","maybe":null}"#);
        let back: Carrier = serde_json::from_str(r#"{"pass":"q","maybe":"r"}"#).unwrap();
        assert_eq!(back.pass.expose(), "q");
        assert_eq!(back.maybe.unwrap().expose(), "r");
    }
}
