//! What every Keyward crate shares, and nothing else: the [`Coded`] trait and the one
//! [`ErrorBody`] every surface shows, the registry of error codes ([`codes`]) with the
//! [`Family`] that gives the CLI its exit code, [`Secret`] (a string that cannot be logged or
//! serialised by accident), and the one [`Clock`].
//!
//! It sits below every other crate (`crypto` included) and depends on nothing of Keyward's.

pub mod clock;
pub mod codes;
pub mod error;
pub mod secret;

pub use clock::{Clock, ManualClock, SystemClock};
pub use codes::Surface;
pub use error::{Candidate, Coded, ErrorBody, Family};
pub use secret::Secret;
