//! What the shell provides the broker: the [`Clock`] (the one clock, so grant lifetimes can
//! be tested with a [`ManualClock`]), the [`Approver`] through which the user sees prompts (the
//! desktop app's prompt window, the CLI's terminal prompt, a test; [`ChannelApprover`] hands
//! its events to a channel), and [`VaultAccess`], the shell's own way to its vault.

use serde::Serialize;

pub use keyward_vault::access::VaultAccess;

use super::PromptItem;

/// The time: the one clock of `keyward-core` (injectable, so grant lifetimes and the arming
/// of Approve can be tested with a [`ManualClock`]).
pub use keyward_core::{Clock, ManualClock, SystemClock};

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
