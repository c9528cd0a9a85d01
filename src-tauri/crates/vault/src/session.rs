//! The desktop session around the vault: when to lock by itself. Idle time (Keyward not used,
//! which works the same on X11 and Wayland) and the screen locking (`ActiveChanged(true)` of
//! `org.freedesktop.ScreenSaver` or `org.gnome.ScreenSaver` on the session bus).

use std::sync::atomic::{AtomicI64, Ordering};

use crate::error::{KeychainError, Result, VaultError};

/// When Keyward was last used, against an idle limit. Times are unix seconds from the caller
/// (an injectable clock).
#[derive(Debug, Default)]
pub struct Idle {
    last: AtomicI64,
}

impl Idle {
    /// Idle since `now`.
    pub fn new(now: i64) -> Idle {
        Idle {
            last: AtomicI64::new(now),
        }
    }

    /// Keyward was used at `now`.
    pub fn touch(&self, now: i64) {
        self.last.fetch_max(now, Ordering::SeqCst);
    }

    /// Whether `limit_secs` (0 = never) have passed without use at `now`.
    pub fn expired(&self, now: i64, limit_secs: i64) -> bool {
        limit_secs > 0 && now - self.last.load(Ordering::SeqCst) >= limit_secs
    }
}

/// Calls `on_lock` (on a thread of its own) each time the session's screen saver says the
/// screen locked. Listens to both the freedesktop and the GNOME interface, from any sender: a
/// false signal can only lock Keyward, never unlock it.
pub fn watch_screen_lock(on_lock: impl Fn() + Send + Sync + 'static) -> Result<()> {
    use zbus::blocking::{Connection, MessageIterator};
    use zbus::message::Type;
    use zbus::MatchRule;
    let bus = |e: zbus::Error| {
        VaultError::Keychain(KeychainError::NoSessionBus(format!(
            "screen lock watch: {e}"
        )))
    };
    let conn = Connection::session().map_err(bus)?;
    let on_lock = std::sync::Arc::new(on_lock);
    for iface in ["org.freedesktop.ScreenSaver", "org.gnome.ScreenSaver"] {
        let rule = MatchRule::builder()
            .msg_type(Type::Signal)
            .interface(iface)
            .and_then(|b| b.member("ActiveChanged"))
            .map_err(bus)?
            .build();
        let signals = MessageIterator::for_match_rule(rule, &conn, Some(16)).map_err(bus)?;
        let on_lock = on_lock.clone();
        std::thread::spawn(move || {
            for msg in signals.flatten() {
                if msg.body().deserialize::<bool>().unwrap_or(false) {
                    on_lock();
                }
            }
        });
    }
    Ok(())
}

/// Calls `on_suspend` (on a thread of its own) each time logind says the machine is about to
/// sleep (`org.freedesktop.login1.Manager.PrepareForSleep(true)` on the system bus). An error
/// when there is no system bus (containers, this project's CI): locking on idle and on screen
/// lock still works.
pub fn watch_suspend(on_suspend: impl Fn() + Send + Sync + 'static) -> Result<()> {
    use zbus::blocking::{Connection, MessageIterator};
    use zbus::message::Type;
    use zbus::MatchRule;
    let bus = |e: zbus::Error| {
        VaultError::Keychain(KeychainError::NoSessionBus(format!("suspend watch: {e}")))
    };
    let conn = Connection::system().map_err(bus)?;
    let rule = MatchRule::builder()
        .msg_type(Type::Signal)
        .interface("org.freedesktop.login1.Manager")
        .and_then(|b| b.member("PrepareForSleep"))
        .map_err(bus)?
        .build();
    let signals = MessageIterator::for_match_rule(rule, &conn, Some(16)).map_err(bus)?;
    std::thread::spawn(move || {
        for msg in signals.flatten() {
            if msg.body().deserialize::<bool>().unwrap_or(false) {
                on_suspend();
            }
        }
    });
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn idle_expires_after_the_limit_and_use_restarts_it() {
        let idle = Idle::new(1000);
        assert!(!idle.expired(1059, 60));
        assert!(idle.expired(1060, 60));
        idle.touch(1050);
        assert!(!idle.expired(1100, 60));
        assert!(idle.expired(1110, 60));
        // An older touch never moves the clock back; 0 means never.
        idle.touch(900);
        assert!(idle.expired(1110, 60));
        assert!(!idle.expired(1_000_000, 0));
    }
}
