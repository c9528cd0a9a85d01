//! The terminal approver of `endpoint serve`: prints each prompt (escaped) and reads the
//! answers typed on standard input.

use std::io::BufRead;
use std::sync::{Arc, Mutex};

use keyward_approval::decode::escape_field;
use keyward_approval::endpoint::{
    ApproverEvent, Broker, Closed, DecideInput, EndpointError, PromptItem,
};
use keyward_approval::grant::GrantSpec;
use keyward_approval::Block;
use keyward_crypto::Coded;
use serde_json::json;

use crate::context::unix_now;
use crate::secrets;

/// Open prompts in order, with the moment each was shown.
struct Open {
    items: Vec<PromptItem>,
}

impl Open {
    /// The prompt an answer is for: the one named, or, for a bare `y`/`n`, the only one
    /// open. With several open a bare answer decides nothing: the user may have read another
    /// prompt than the one the terminal would pick. Otherwise why not, with the open ids.
    fn target(&self, id: Option<&str>) -> Result<PromptItem, String> {
        match (id, self.items.as_slice()) {
            (Some(id), items) => items
                .iter()
                .find(|i| i.id() == id)
                .cloned()
                .ok_or_else(|| "no such prompt is open".to_owned()),
            (None, []) => Err("no prompt is open".to_owned()),
            (None, [one]) => Ok(one.clone()),
            (None, items) => {
                let list: Vec<String> = items
                    .iter()
                    .map(|i| {
                        let what = match i {
                            PromptItem::Request(p) => format!("{} from {}", p.title, p.app.name),
                            PromptItem::Pairing(p) => format!("pairing “{}”", p.app_name),
                        };
                        format!("  {}  {}", escape_field(i.id()), escape_field(&what))
                    })
                    .collect();
                Err(format!(
                    "{} prompts are open: answer `approve ID` or `deny ID` for the one you read:\n{}",
                    items.len(),
                    list.join("\n")
                ))
            }
        }
    }
}

fn describe(item: &PromptItem) -> String {
    let mut s = String::new();
    match item {
        PromptItem::Request(p) => {
            // Every value below is escaped by the broker (the app's name, its executable, the
            // blocks); the origin is a parsed URL origin. Escaped again here all the same: a
            // terminal executes what it prints.
            let e = escape_field;
            s += &format!("\n── request {} ──\n{}\n", e(&p.id), e(&p.title));
            s += &format!("  from   {}", e(&p.app.name));
            if let Some(exe) = &p.app.exe {
                s += &format!(" ({})", e(&exe.to_string_lossy()));
            }
            s += "\n";
            if let Some(o) = &p.origin {
                if p.link {
                    s += &format!("  answer goes to {} (and only there)\n", e(o));
                    s += "  (opened by a link: Keyward cannot tell which app made it)\n";
                } else if p.origin_verified {
                    s += &format!("  origin {} (verified: the browser's Origin)\n", e(o));
                } else {
                    s += &format!("  origin {} (claimed by the app, not verified)\n", e(o));
                }
            }
            s += &format!(
                "  key    {} ({}, {})\n",
                e(&p.key.label),
                p.key.alg,
                e(&p.key.id)
            );
            // Who asks with which key is said once, above; the blocks from here say what.
            for b in p.blocks.iter().skip(p.payload_from) {
                match b {
                    Block::Title { .. } => {}
                    Block::Field { label, value } => {
                        s += &format!("  {}: {}\n", e(label), e(value))
                    }
                    Block::Host {
                        label,
                        ascii,
                        unicode,
                    } => {
                        s += &format!("  {}: {}", e(label), e(ascii));
                        if let Some(u) = unicode {
                            s += &format!(" (shown as {})", e(u));
                        }
                        s += "\n";
                    }
                    Block::Text { label, text, .. } => {
                        s += &format!("  {}:\n", e(label));
                        for line in text.lines() {
                            s += &format!(
                                "    | {}\n",
                                keyward_approval::decode::escape_text(line).0
                            );
                        }
                    }
                    Block::Hex { label, hex } => s += &format!("  {}: {}\n", e(label), e(hex)),
                    Block::Notice { text } => s += &format!("  ! {}\n", e(text)),
                }
            }
            for v in &p.verdicts {
                s += &format!("  [{:?}] {}\n", v.level, e(&v.message));
            }
            if p.locked {
                s += "  (the vault is locked: approving asks for the passphrase)\n";
            }
            if p.grantable {
                s += "  grant with: approve ID 5m | approve ID lock\n";
            }
            s += &format!(
                "  expires in {} s — approve? [y/N] (approve {id} / deny {id})\n",
                p.expires_at - unix_now(),
                id = e(&p.id)
            );
        }
        PromptItem::Pairing(p) => {
            s += &format!(
                "\n── pairing {} ──\n“{}” asks to pair{}\n  code {}  (check that the app shows the same code)\n",
                escape_field(&p.id),
                escape_field(&p.app_name),
                p.origin
                    .as_deref()
                    .map(|o| format!(" from {}", escape_field(o)))
                    .unwrap_or_default(),
                escape_field(&p.code)
            );
            if let Some(k) = &p.keys {
                let k: Vec<String> = k.iter().map(|k| escape_field(k)).collect();
                s += &format!("  keys asked for: {}\n", k.join(", "));
            }
            s += &format!(
                "  pair? [y/N] (approve {id} / deny {id})\n",
                id = escape_field(&p.id)
            );
        }
    }
    s
}

pub fn spawn(
    broker: Arc<Broker>,
    mut rx: tokio::sync::mpsc::UnboundedReceiver<ApproverEvent>,
    json: bool,
) {
    let open = Arc::new(Mutex::new(Open { items: Vec::new() }));
    let shown = open.clone();
    let broker_shown = broker.clone();
    tokio::spawn(async move {
        while let Some(ev) = rx.recv().await {
            let mut o = shown.lock().unwrap_or_else(|p| p.into_inner());
            match ev {
                ApproverEvent::Open(item) => {
                    // Approve arms a second from now (the broker's rule, as in the app).
                    broker_shown.mark_shown(item.id());
                    if json {
                        println!("{}", json!({"event": "prompt", "prompt": &*item}));
                    } else {
                        eprint!("{}", describe(&item));
                    }
                    o.items.push(*item);
                }
                ApproverEvent::UnlockNeeded => {
                    if json {
                        println!("{}", json!({"event": "unlock_needed"}));
                    } else {
                        eprintln!(
                            "\nan app is waiting: unlock the vault (keyward-cli unlock) so the endpoint can check who it is"
                        );
                    }
                }
                ApproverEvent::Close(id, why) => {
                    o.items.retain(|i| i.id() != id);
                    if json {
                        println!("{}", json!({"event": "closed", "id": id, "why": why}));
                    } else if why != Closed::Decided {
                        eprintln!("\n(prompt {id} closed: {why:?})");
                    }
                }
            }
        }
    });
    std::thread::spawn(move || {
        let stdin = std::io::stdin();
        for line in stdin.lock().lines() {
            let Ok(line) = line else { break };
            let words: Vec<&str> = line.split_whitespace().collect();
            let (approve, id, grant) = match words.as_slice() {
                [] => continue,
                [w] if matches!(*w, "y" | "yes") => (true, None, None),
                [w] if matches!(*w, "n" | "no") => (false, None, None),
                ["approve", id] => (true, Some(*id), None),
                ["approve", id, g] => (true, Some(*id), Some(*g)),
                ["deny", id] => (false, Some(*id), None),
                _ => {
                    eprintln!("answer y, n, approve ID [once|5m|lock] or deny ID");
                    continue;
                }
            };
            let target = open.lock().unwrap_or_else(|p| p.into_inner()).target(id);
            let item = match target {
                Ok(t) => t,
                Err(why) => {
                    if json {
                        println!("{}", json!({"event": "unanswered", "why": why}));
                    }
                    eprintln!("{why}");
                    continue;
                }
            };
            let result = match &item {
                PromptItem::Pairing(p) => broker.decide_pairing(&p.id, approve, None),
                PromptItem::Request(p) => {
                    let grant = match grant.map(|g| GrantSpec::parse(g, None)).transpose() {
                        Ok(g) => g,
                        Err(e) => {
                            eprintln!("{e}");
                            continue;
                        }
                    };
                    let pass = if approve && broker.locked() {
                        match secrets::passphrase("Passphrase to unlock: ") {
                            Ok(p) => Some(p),
                            Err(e) => {
                                eprintln!("error: {e}");
                                continue;
                            }
                        }
                    } else {
                        None
                    };
                    broker.decide(
                        DecideInput {
                            request_id: p.id.clone(),
                            rendered_hash: p.rendered_hash.clone(),
                            approved: approve,
                            grant,
                        },
                        pass,
                    )
                }
            };
            match result {
                Err(EndpointError::TooSoon) => {
                    eprintln!("too soon: read the prompt, then answer again")
                }
                Ok(()) if json => println!(
                    "{}",
                    json!({"event": "decided", "id": item.id(), "approved": approve})
                ),
                Ok(()) => eprintln!("{}", if approve { "approved" } else { "denied" }),
                Err(e) if json => println!(
                    "{}",
                    json!({"event": "error", "id": item.id(), "error": e.body()})
                ),
                Err(e) => eprintln!("error: {e} ({})", e.code()),
            }
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;
    use keyward_approval::endpoint::broker::{KeyView, PromptView};
    use keyward_approval::AppIdentity;
    use keyward_crypto::KeyAlg;

    fn view(name: &str, exe: &str, origin: &str) -> PromptItem {
        PromptItem::Request(PromptView {
            id: "req-1".into(),
            kind: "sign_message",
            title: "Sign a message".into(),
            app: AppIdentity {
                name: name.into(),
                exe: Some(exe.into()),
                pid: Some(7),
            },
            origin: Some(origin.into()),
            origin_verified: false,
            key: KeyView {
                id: "k1".into(),
                label: "eth".into(),
                alg: KeyAlg::Secp256k1,
            },
            blocks: vec![Block::Text {
                label: "Message".into(),
                text: "hello\u{1b}[8m".into(),
                escaped: 0,
            }],
            payload_from: 0,
            rendered_hash: "h".into(),
            verdicts: vec![],
            created_at: 0,
            expires_at: 60,
            locked: false,
            grantable: false,
            link: false,
        })
    }

    /// Security review #6: whatever reaches the terminal approver is printed escaped, even a
    /// view the broker did not escape: no terminal escape, no bidi control, no forged line.
    #[test]
    fn the_terminal_prompt_prints_attacker_text_escaped() {
        let text = describe(&view(
            "tool\u{1b}[2J",
            "/tmp/evil\u{1b}]0;x\u{7}\u{202E}gpj.exe",
            "https://app.example\n  expires in 118 s — approve? [y/N] \u{1b}[8m",
        ));
        for bad in ['\u{1b}', '\u{7}', '\u{202E}'] {
            assert!(!text.contains(bad), "{bad:?} in {text:?}");
        }
        assert_eq!(
            text.lines()
                .filter(|l| l.trim_start().starts_with("expires in"))
                .count(),
            1,
            "a forged prompt line: {text}"
        );
        assert!(text.contains("claimed by the app, not verified"), "{text}");
    }

    fn open_items(n: usize) -> Open {
        Open {
            items: (0..n)
                .map(|i| {
                    let mut v = view("tool", "/usr/bin/tool", "https://a.example");
                    if let PromptItem::Request(p) = &mut v {
                        p.id = format!("req-{i}");
                    }
                    v
                })
                .collect(),
        }
    }

    /// Security review #3: a bare answer decides only the one prompt open.
    #[test]
    fn a_bare_answer_needs_exactly_one_prompt_open() {
        assert!(open_items(0).target(None).is_err());
        assert_eq!(open_items(1).target(None).unwrap().id(), "req-0");
        let why = open_items(2).target(None).unwrap_err();
        assert!(why.contains("req-0") && why.contains("req-1"), "{why}");
        assert_eq!(open_items(2).target(Some("req-1")).unwrap().id(), "req-1");
        assert!(open_items(2).target(Some("req-9")).is_err());
    }
}
