//! Reading QR codes (issue 16): what a code holds. This first part is pure: [`payload`] tells a
//! decoded code's kind (a SimpleWallet request, a SIWE message, a WalletConnect pairing URI, an
//! EIP-681 or BIP 21 payment link, a BC-UR part, a `keyward://` link, a web address, text) and
//! parses it into fields to show; [`read`] takes a picture's bytes (limits checked from its
//! header before any allocation) and finds every code in it. Capturing the screen and the
//! clipboard come in the same crate, behind a feature, so the shells share them.

pub mod payload;
pub mod read;

pub use payload::{classify, Payload};
pub use read::{read, Code, ReadError};
