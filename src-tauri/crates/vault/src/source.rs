//! [`KeySource`]: a key that signs, wherever it lives. A vault key unsealed into a
//! [`Signer`] is one ([`Vault::unseal_signer`](crate::Vault::unseal_signer)); a key that never
//! leaves its home (an OpenBao transit key, later a PKCS#11 token) is another, implemented
//! where the network is (`keyward-services`) and injected here.
//!
//! The rule it carries: a source is obtained under the vault's lock (the policy check, the
//! unseal) and signs **after** the lock is released, so no vault lock is ever held across a
//! source's I/O. Signing is async for that reason; a local source answers at once.

use crate::error::Result;
use keyward_crypto::sign::{Encoding, Payload, Scheme, Signature, Signer};
use keyward_crypto::PublicKey;
use std::future::Future;
use std::pin::Pin;

/// A signature on its way.
pub type Signing<'a> = Pin<Box<dyn Future<Output = Result<Signature>> + Send + 'a>>;

/// A key that signs.
pub trait KeySource: Send + Sync {
    /// Its public key (known without I/O: kept when the source was made).
    fn public(&self) -> &PublicKey;
    /// Signs `payload` with `scheme`. The caller has checked the key's usage policy and the
    /// user's decision; the source checks only that it can do the scheme.
    fn sign<'a>(&'a self, scheme: Scheme, payload: Payload<'a>, encoding: Encoding) -> Signing<'a>;
}

/// A vault key in memory: signs at once.
impl KeySource for Signer<'static> {
    fn public(&self) -> &PublicKey {
        Signer::public(self)
    }
    fn sign<'a>(&'a self, scheme: Scheme, payload: Payload<'a>, encoding: Encoding) -> Signing<'a> {
        let out = Signer::sign(self, scheme, payload, encoding).map_err(Into::into);
        Box::pin(std::future::ready(out))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::MemoryStore;
    use crate::{Backend, GenerateRequest, Vault};
    use keyward_crypto::sign::verify_detached;
    use keyward_crypto::KeyAlg;
    use std::sync::{Arc, Mutex};

    // On purpose: the test holds the vault while the source signs, to show it needs none.
    #[allow(clippy::await_holding_lock)]
    #[tokio::test]
    async fn a_source_signs_while_someone_else_holds_the_vault() {
        let dir = tempfile::tempdir().unwrap();
        let mut v = Vault::open(dir.path(), Arc::new(MemoryStore::default())).unwrap();
        v.init(None).unwrap();
        let id = v
            .key_generate(GenerateRequest {
                alg: KeyAlg::P256,
                label: None,
                tags: vec![],
            })
            .unwrap()
            .id;
        let vault = Mutex::new(v);
        let source: Arc<dyn KeySource> = {
            let mut v = vault.lock().unwrap();
            Arc::new(v.unseal_signer(&id).unwrap())
        };
        // Someone else holds the vault while the source signs.
        let held = vault
            .try_lock()
            .expect("the vault is free once the source is made");
        let sig = source
            .sign(Scheme::Raw, Payload::Message(b"hello"), Encoding::Der)
            .await
            .unwrap();
        drop(held);
        let ok = verify_detached(source.public(), b"hello", &sig.bytes).unwrap();
        assert!(ok.valid, "{}", ok.reason);
    }
}
