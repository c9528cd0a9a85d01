//! The CLI's side of the agent socket: one request line out, one reply line back.

use crate::error::{Result, VaultError};
pub use crate::ops::Request;
use serde_json::Value;
use std::io::{BufRead, BufReader, Write};
use std::os::unix::net::UnixStream as StdStream;
use std::path::{Path, PathBuf};

use std::time::Duration;

use super::{json_error, Reply};
use zeroize::Zeroizing;

/// The CLI's side of the socket.
pub struct AgentClient {
    reader: BufReader<StdStream>,
    socket: PathBuf,
}

impl AgentClient {
    /// Connects to the agent of `vault_id`; `None` when none is running (no socket, or a
    /// stale one nobody listens on).
    pub fn connect(vault_id: &str) -> Result<Option<AgentClient>> {
        let socket = crate::paths::socket_path(vault_id)?;
        Self::connect_at(&socket)
    }

    pub fn connect_at(socket: &Path) -> Result<Option<AgentClient>> {
        match StdStream::connect(socket) {
            Ok(s) => {
                s.set_read_timeout(Some(Duration::from_secs(120)))?;
                Ok(Some(AgentClient {
                    reader: BufReader::new(s),
                    socket: socket.to_path_buf(),
                }))
            }
            Err(e)
                if matches!(
                    e.kind(),
                    std::io::ErrorKind::NotFound | std::io::ErrorKind::ConnectionRefused
                ) =>
            {
                Ok(None)
            }
            Err(e) => Err(VaultError::AgentUnreachable(
                socket.display().to_string(),
                e.to_string(),
            )),
        }
    }

    fn call(&mut self, req: &Request) -> Result<Value> {
        let unreachable = |e: std::io::Error| {
            VaultError::AgentUnreachable(self_path(&self.socket), e.to_string())
        };
        let mut line = Zeroizing::new(serde_json::to_vec(req).expect("request serialises"));
        line.push(b'\n');
        self.reader
            .get_mut()
            .write_all(&line)
            .map_err(unreachable)?;
        let mut answer = Zeroizing::new(String::new());
        let n = self.reader.read_line(&mut answer).map_err(|e| {
            VaultError::AgentUnreachable(self.socket.display().to_string(), e.to_string())
        })?;
        if n == 0 {
            return Err(VaultError::AgentUnreachable(
                self.socket.display().to_string(),
                "the agent closed the connection".into(),
            ));
        }
        let reply: Reply = serde_json::from_str(&answer)
            .map_err(|e| VaultError::AgentProtocol(json_error("reply", &e)))?;
        match (reply.ok, reply.result, reply.error) {
            (true, Some(v), _) => Ok(v),
            (false, _, Some(e)) => Err(VaultError::Remote(e)),
            _ => Err(VaultError::AgentProtocol(
                "reply has neither result nor error".into(),
            )),
        }
    }

    pub(crate) fn call_as<T: serde::de::DeserializeOwned>(&mut self, req: &Request) -> Result<T> {
        serde_json::from_value(self.call(req)?)
            .map_err(|e| VaultError::AgentProtocol(e.to_string()))
    }
}

fn self_path(p: &Path) -> String {
    p.display().to_string()
}
