//! A tray-host stub for the GUI tests: it owns `org.kde.StatusNotifierWatcher` on the test's
//! private session bus, as a desktop's tray does, and records the items that register (the
//! app's tray icon, through libayatana-appindicator). The test reads the item's properties
//! over D-Bus, as the tray would, to see what it shows.
//!
//! ```text
//! let tray = TrayHost::start(cli.keyring());
//! // … launch the app …
//! assert_eq!(tray.label(), "1");
//! ```

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use zbus::blocking::Connection;
use zbus::message::Header;

use crate::Keyring;

/// A registered item: the bus name it lives on and its object path.
#[derive(Debug, Clone)]
pub struct Item {
    pub bus: String,
    pub path: String,
}

struct Watcher {
    items: Arc<Mutex<Vec<Item>>>,
}

#[zbus::interface(name = "org.kde.StatusNotifierWatcher")]
impl Watcher {
    fn register_status_notifier_item(&self, service: String, #[zbus(header)] hdr: Header<'_>) {
        let sender = hdr.sender().map(|s| s.to_string()).unwrap_or_default();
        // An item names either its object path (on the caller's connection) or a bus name.
        let item = if service.starts_with('/') {
            Item {
                bus: sender,
                path: service,
            }
        } else {
            Item {
                bus: service,
                path: "/StatusNotifierItem".into(),
            }
        };
        self.items.lock().unwrap().push(item);
    }

    fn register_status_notifier_host(&self, _service: String) {}

    #[zbus(property)]
    fn registered_status_notifier_items(&self) -> Vec<String> {
        self.items
            .lock()
            .unwrap()
            .iter()
            .map(|i| format!("{}{}", i.bus, i.path))
            .collect()
    }

    #[zbus(property)]
    fn is_status_notifier_host_registered(&self) -> bool {
        true
    }

    #[zbus(property)]
    fn protocol_version(&self) -> i32 {
        0
    }
}

/// The stub, serving until dropped.
pub struct TrayHost {
    conn: Connection,
    items: Arc<Mutex<Vec<Item>>>,
}

impl TrayHost {
    /// Owns the watcher name on `keyring`'s session bus.
    pub fn start(keyring: &Keyring) -> TrayHost {
        let items = Arc::new(Mutex::new(Vec::new()));
        let conn = zbus::blocking::connection::Builder::address(keyring.bus_address())
            .unwrap()
            .name("org.kde.StatusNotifierWatcher")
            .unwrap()
            .serve_at(
                "/StatusNotifierWatcher",
                Watcher {
                    items: items.clone(),
                },
            )
            .unwrap()
            .build()
            .expect("own org.kde.StatusNotifierWatcher on the test bus");
        TrayHost { conn, items }
    }

    /// The first item that registered, waiting up to 20 s.
    pub fn item(&self) -> Item {
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            if let Some(i) = self.items.lock().unwrap().first().cloned() {
                return i;
            }
            assert!(Instant::now() < deadline, "no tray item registered");
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// A property of the item's `org.kde.StatusNotifierItem` interface, as text.
    pub fn property(&self, name: &str) -> String {
        let item = self.item();
        let proxy = zbus::blocking::Proxy::new(
            &self.conn,
            item.bus.as_str(),
            item.path.as_str(),
            "org.kde.StatusNotifierItem",
        )
        .unwrap();
        proxy
            .get_property::<String>(name)
            .unwrap_or_else(|e| panic!("tray item property {name}: {e}"))
    }

    /// The label next to the icon (libayatana-appindicator's `XAyatanaLabel`).
    pub fn label(&self) -> String {
        self.property("XAyatanaLabel")
    }

    /// Waits until the label is `want`.
    pub fn wait_label(&self, want: &str) {
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            let got = self.label();
            if got == want {
                return;
            }
            assert!(
                Instant::now() < deadline,
                "the tray label is {got:?}, not {want:?}"
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }
}
