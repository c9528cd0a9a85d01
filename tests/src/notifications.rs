//! A notification-server stub for the GUI tests: it owns `org.freedesktop.Notifications` on
//! the test's private session bus, records every `Notify` call, and sends `ActionInvoked` as a
//! desktop does when the user clicks a notification.
//!
//! ```text
//! let server = NotificationServer::start(cli.keyring());
//! let n = server.wait_for(|n| n.summary.contains("asks"));
//! server.invoke(n.id, "default");
//! ```

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use zbus::blocking::Connection;
use zbus::zvariant::OwnedValue;

use crate::Keyring;

const PATH: &str = "/org/freedesktop/Notifications";
const IFACE: &str = "org.freedesktop.Notifications";

/// One `Notify` call.
#[derive(Debug, Clone)]
pub struct Notified {
    /// The id the stub answered with.
    pub id: u32,
    pub replaces_id: u32,
    pub app_name: String,
    pub summary: String,
    pub body: String,
    /// Pairs of action key and label, flattened (`["default", "Review"]`).
    pub actions: Vec<String>,
}

struct Server {
    calls: Arc<Mutex<Vec<Notified>>>,
    closed: Arc<Mutex<Vec<u32>>>,
    next: u32,
}

#[zbus::interface(name = "org.freedesktop.Notifications")]
impl Server {
    fn get_capabilities(&self) -> Vec<String> {
        vec!["actions".into(), "body".into(), "persistence".into()]
    }

    #[allow(clippy::too_many_arguments)]
    fn notify(
        &mut self,
        app_name: String,
        replaces_id: u32,
        _app_icon: String,
        summary: String,
        body: String,
        actions: Vec<String>,
        _hints: HashMap<String, OwnedValue>,
        _expire_timeout: i32,
    ) -> u32 {
        let id = if replaces_id != 0 {
            replaces_id
        } else {
            self.next += 1;
            self.next
        };
        self.calls.lock().unwrap().push(Notified {
            id,
            replaces_id,
            app_name,
            summary,
            body,
            actions,
        });
        id
    }

    /// Records the call and says the notification closed (reason 3: closed by a call), as a
    /// real server does.
    async fn close_notification(
        &self,
        id: u32,
        #[zbus(signal_emitter)] emitter: zbus::object_server::SignalEmitter<'_>,
    ) {
        self.closed.lock().unwrap().push(id);
        let _ = Self::notification_closed(&emitter, id, 3).await;
    }

    #[zbus(signal)]
    async fn notification_closed(
        emitter: &zbus::object_server::SignalEmitter<'_>,
        id: u32,
        reason: u32,
    ) -> zbus::Result<()>;

    fn get_server_information(&self) -> (String, String, String, String) {
        (
            "keyward-test-notifications".into(),
            "keyward".into(),
            "1".into(),
            "1.2".into(),
        )
    }
}

/// The stub, serving until dropped.
pub struct NotificationServer {
    conn: Connection,
    calls: Arc<Mutex<Vec<Notified>>>,
    closed: Arc<Mutex<Vec<u32>>>,
}

impl NotificationServer {
    /// Owns the notification service on `keyring`'s session bus.
    pub fn start(keyring: &Keyring) -> NotificationServer {
        let calls = Arc::new(Mutex::new(Vec::new()));
        let closed = Arc::new(Mutex::new(Vec::new()));
        let server = Server {
            calls: calls.clone(),
            closed: closed.clone(),
            next: 0,
        };
        let conn = zbus::blocking::connection::Builder::address(keyring.bus_address())
            .unwrap()
            .name(IFACE)
            .unwrap()
            .serve_at(PATH, server)
            .unwrap()
            .build()
            .expect("own org.freedesktop.Notifications on the test bus");
        NotificationServer {
            conn,
            calls,
            closed,
        }
    }

    /// Every call so far.
    pub fn calls(&self) -> Vec<Notified> {
        self.calls.lock().unwrap().clone()
    }

    /// The first call that `pred` accepts, waiting up to 20 s.
    pub fn wait_for(&self, what: &str, pred: impl Fn(&Notified) -> bool) -> Notified {
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            if let Some(n) = self.calls().into_iter().find(|n| pred(n)) {
                return n;
            }
            assert!(
                Instant::now() < deadline,
                "no notification {what}; got {:#?}",
                self.calls()
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// Waits until the app closed notification `id` (`CloseNotification`), up to 20 s.
    pub fn wait_closed(&self, id: u32) {
        let deadline = Instant::now() + Duration::from_secs(20);
        while !self.closed.lock().unwrap().contains(&id) {
            assert!(
                Instant::now() < deadline,
                "notification {id} was not closed"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// The user clicked `action` of notification `id` (`default`: the notification itself).
    pub fn invoke(&self, id: u32, action: &str) {
        self.conn
            .emit_signal(None::<()>, PATH, IFACE, "ActionInvoked", &(id, action))
            .unwrap();
    }
}
