//! Who is at the other end of a loopback TCP connection (Linux, through `/proc`).
//!
//! - [`tcp_uid`]: the user owning the peer's socket, from its row in `/proc/net/tcp` (or
//!   `tcp6`): one read, on every request. 127.0.0.1 is reachable by every account on the
//!   machine; the endpoint answers only this user's (as the Unix socket does by its peer
//!   credentials).
//! - [`tcp_peer`]: the process with a descriptor on that socket, for the prompt to name (only
//!   this user's processes can be seen; anything unreadable yields `None`). Costs a scan of
//!   `/proc/*/fd`, so it runs only when a prompt opens, never on a granted request. Advisory:
//!   the first process in `/proc` order holding the socket is named, and an executable path
//!   can be imitated.

use std::net::{IpAddr, SocketAddr};
use std::path::PathBuf;

/// `/proc/net/tcp*`'s text for an address: the IP as the kernel's native-endian words in hex,
/// then the port in hex.
fn proc_addr(a: &SocketAddr) -> String {
    match a.ip() {
        IpAddr::V4(ip) => format!("{:08X}:{:04X}", u32::from_ne_bytes(ip.octets()), a.port()),
        IpAddr::V6(ip) => {
            let o = ip.octets();
            let words: String = o
                .chunks(4)
                .map(|c| format!("{:08X}", u32::from_ne_bytes([c[0], c[1], c[2], c[3]])))
                .collect();
            format!("{words}:{:04X}", a.port())
        }
    }
}

/// The fields of `/proc/net/tcp*`'s row for the socket whose local end is `from` and remote
/// end is `to`: its uid (field 7) and inode (field 9).
fn row(from: &SocketAddr, to: &SocketAddr) -> Option<(u32, u64)> {
    let table = if from.is_ipv4() {
        "/proc/net/tcp"
    } else {
        "/proc/net/tcp6"
    };
    let text = std::fs::read_to_string(table).ok()?;
    let (want_local, want_remote) = (proc_addr(from), proc_addr(to));
    text.lines().skip(1).find_map(|line| {
        let f: Vec<&str> = line.split_whitespace().collect();
        if f.len() > 9 && f[1] == want_local && f[2] == want_remote {
            Some((f[7].parse().ok()?, f[9].parse().ok()?))
        } else {
            None
        }
    })
}

/// The uid owning the `peer` end of a loopback connection to `local`, when its row is found
/// (the peer must be in this network namespace, as a loopback peer is).
pub fn tcp_uid(peer: SocketAddr, local: SocketAddr) -> Option<u32> {
    row(&peer, &local).map(|(uid, _)| uid)
}

/// The executable and pid of the process at the `peer` end of a connection to `local`.
pub fn tcp_peer(peer: SocketAddr, local: SocketAddr) -> Option<(Option<PathBuf>, u32)> {
    let ino = row(&peer, &local).map(|(_, i)| i).filter(|&i| i != 0)?;
    let target = format!("socket:[{ino}]");
    for entry in std::fs::read_dir("/proc").ok()?.flatten() {
        let Some(pid) = entry
            .file_name()
            .to_str()
            .and_then(|s| s.parse::<u32>().ok())
        else {
            continue;
        };
        let Ok(fds) = std::fs::read_dir(entry.path().join("fd")) else {
            continue;
        };
        for fd in fds.flatten() {
            if std::fs::read_link(fd.path()).is_ok_and(|l| l.as_os_str() == target.as_str()) {
                let exe = std::fs::read_link(entry.path().join("exe")).ok();
                return Some((exe, pid));
            }
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_the_process_at_the_other_end_of_a_loopback_connection() {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let local = listener.local_addr().unwrap();
        let client = std::net::TcpStream::connect(local).unwrap();
        let (_server_side, peer) = listener.accept().unwrap();
        assert_eq!(peer, client.local_addr().unwrap());
        let (exe, pid) = tcp_peer(peer, local).expect("the peer is this process");
        assert_eq!(pid, std::process::id());
        assert_eq!(exe, std::env::current_exe().ok());
    }

    #[test]
    fn a_loopback_peers_uid_is_ours() {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let local = listener.local_addr().unwrap();
        let _client = std::net::TcpStream::connect(local).unwrap();
        let (_server_side, peer) = listener.accept().unwrap();
        assert_eq!(
            tcp_uid(peer, local),
            Some(rustix::process::getuid().as_raw())
        );
        let nowhere: SocketAddr = "127.0.0.1:9".parse().unwrap();
        assert_eq!(tcp_uid(nowhere, local), None);
    }

    #[test]
    fn an_unknown_connection_is_none() {
        let a: SocketAddr = "127.0.0.1:9".parse().unwrap();
        let b: SocketAddr = "127.0.0.1:1".parse().unwrap();
        assert_eq!(tcp_peer(a, b), None);
    }
}
