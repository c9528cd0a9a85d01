//! What the shell provides the broker: the [`Clock`] (a seam, so grant lifetimes can be
//! tested with a [`ManualClock`]), the [`Approver`] through which the user sees prompts (the
//! desktop app's prompt window, the CLI's terminal prompt, a test; [`ChannelApprover`] hands
//! its events to a channel), and [`VaultAccess`], the shell's own way to its vault.

use std::sync::atomic::{AtomicI64, Ordering};

use serde::Serialize;

pub use keyward_vault::access::VaultAccess;

use super::PromptItem;

/// The time, in unix seconds. Injectable so grant lifetimes can be tested.
pub trait Clock: Send + Sync + 'static {
    /// Now.
    fn now(&self) -> i64;
}

/// The system clock.
#[derive(Debug, Default, Clone, Copy)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> i64 {
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_secs() as i64)
            .unwrap_or(0)
    }
}

/// A clock tests move by hand.
#[derive(Debug, Default)]
pub struct ManualClock(AtomicI64);

impl ManualClock {
    /// A clock showing `now`.
    pub fn new(now: i64) -> ManualClock {
        ManualClock(AtomicI64::new(now))
    }
    /// Moves the clock forward.
    pub fn advance(&self, secs: i64) {
        self.0.fetch_add(secs, Ordering::SeqCst);
    }
}

impl Clock for ManualClock {
    fn now(&self) -> i64 {
        self.0.load(Ordering::SeqCst)
    }
}

/// Why a prompt closed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Closed {
    /// The user decided (here or in another view).
    Decided,
    /// Its deadline passed.
    Expired,
    /// The app gave up (closed its connection).
    Withdrawn,
}

/// The user's side: the desktop app's prompt window, the CLI's terminal prompt, a test.
/// `open` shows a prompt; the decision comes back through [`Broker::decide`] or
/// [`Broker::decide_pairing`]; `close` says the prompt is moot. Both must return quickly.
///
/// [`Broker::decide`]: super::Broker::decide
/// [`Broker::decide_pairing`]: super::Broker::decide_pairing
pub trait Approver: Send + Sync + 'static {
    /// Show this prompt.
    fn open(&self, item: &PromptItem);
    /// The prompt with this id closed.
    fn close(&self, id: &str, why: Closed);
    /// An app waits for the vault to be unlocked (the endpoint has not seen it unlocked
    /// since it started, so it can authenticate nobody): ask the user to unlock.
    fn unlock_needed(&self) {}
}

/// What an [`Approver`] receives, as a message: for approvers that run their own loop.
#[derive(Debug, Clone)]
pub enum ApproverEvent {
    /// A prompt opened.
    Open(Box<PromptItem>),
    /// A prompt closed.
    Close(String, Closed),
    /// An app waits for the vault to be unlocked.
    UnlockNeeded,
}

/// An [`Approver`] that forwards every event into a channel.
#[derive(Debug, Clone)]
pub struct ChannelApprover(pub tokio::sync::mpsc::UnboundedSender<ApproverEvent>);

impl Approver for ChannelApprover {
    fn open(&self, item: &PromptItem) {
        let _ = self.0.send(ApproverEvent::Open(Box::new(item.clone())));
    }
    fn close(&self, id: &str, why: Closed) {
        let _ = self.0.send(ApproverEvent::Close(id.to_owned(), why));
    }
    fn unlock_needed(&self) {
        let _ = self.0.send(ApproverEvent::UnlockNeeded);
    }
}
