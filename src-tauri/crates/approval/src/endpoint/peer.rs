//! Which local process holds a loopback TCP connection, for the prompt to name it (Linux,
//! through `/proc`): the connection's socket inode from `/proc/net/tcp` (or `tcp6`), then the
//! process with a descriptor on that socket. Only processes of this user can be seen, which is
//! exactly who may call the endpoint; anything unreadable yields `None`. Costs a scan of
//! `/proc/*/fd`, so it runs only when a prompt opens, never on a granted request.

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

/// The inode of the socket whose local end is `from` and remote end is `to`.
fn inode(from: &SocketAddr, to: &SocketAddr) -> Option<u64> {
    let table = if from.is_ipv4() {
        "/proc/net/tcp"
    } else {
        "/proc/net/tcp6"
    };
    let text = std::fs::read_to_string(table).ok()?;
    let (want_local, want_remote) = (proc_addr(from), proc_addr(to));
    text.lines().skip(1).find_map(|line| {
        let f: Vec<&str> = line.split_whitespace().collect();
        (f.len() > 9 && f[1] == want_local && f[2] == want_remote)
            .then(|| f[9].parse().ok())
            .flatten()
    })
}

/// The executable and pid of the process at the `peer` end of a connection to `local`.
pub fn tcp_peer(peer: SocketAddr, local: SocketAddr) -> Option<(Option<PathBuf>, u32)> {
    let ino = inode(&peer, &local).filter(|&i| i != 0)?;
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
    fn an_unknown_connection_is_none() {
        let a: SocketAddr = "127.0.0.1:9".parse().unwrap();
        let b: SocketAddr = "127.0.0.1:1".parse().unwrap();
        assert_eq!(tcp_peer(a, b), None);
    }
}
