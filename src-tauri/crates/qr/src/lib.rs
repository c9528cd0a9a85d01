//! Reading QR codes (issue 16): what a code holds. This first part is pure: [`payload`] tells a
//! decoded code's kind (a SimpleWallet request, a SIWE message, a WalletConnect pairing URI, an
//! EIP-681 or BIP 21 payment link, a BC-UR part, a `keyward://` link, a web address, text) and
//! parses it into fields to show. Decoding images and capturing the screen and the clipboard
//! come in the same crate, behind features, so the shells share them.

pub mod payload;

pub use payload::{classify, Payload};
