//! Checks shared by the fuzz targets: whatever a parser accepts must behave like a key.

use keyward_crypto::PrivateKey;

/// Exercises an accepted key the way the vault does: its public half and every public export
/// it offers, and the keychain form (`to_storage`), which must read back as the same key.
/// Panics (a finding) if the stored form does not round-trip.
pub fn check_key(key: &PrivateKey) {
    let public = key.public();
    let fingerprint = public.fingerprint();
    for format in public.formats() {
        // A format the key lists may still refuse (e.g. no comment); it must not panic.
        let _ = public.export(format, "fuzz");
    }
    let stored = key.to_storage();
    let back = PrivateKey::from_storage(&stored)
        .unwrap_or_else(|e| panic!("to_storage output does not read back: {e}"));
    assert_eq!(
        back.alg(),
        key.alg(),
        "storage round trip changed the algorithm"
    );
    assert_eq!(
        back.public().fingerprint(),
        fingerprint,
        "storage round trip changed the key"
    );
}
