//! Listening on Unix domain sockets, in a temporary directory.

#![cfg(unix)]
#![allow(clippy::unwrap_used)]

mod common;

use std::io::ErrorKind;
use std::os::unix::fs::{FileTypeExt, PermissionsExt};
use std::path::Path;

use bytes::Bytes;
use common::within;
use crossway_transport::rt::{self, block_on};
use crossway_transport::{
    BindOptions, ListenAddr, Listener, PeerAddr, RawSocketServerConfig, Serializer,
    accept_rawsocket, connect_rawsocket, connect_unix,
};

fn unix(path: &Path) -> ListenAddr {
    format!("unix:{}", path.display()).parse().unwrap()
}

fn is_socket(path: &Path) -> bool {
    std::fs::symlink_metadata(path).is_ok_and(|m| m.file_type().is_socket())
}

#[test]
fn rawsocket_over_a_unix_socket() {
    block_on(async {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("node.sock");
        let listener = Listener::bind(&unix(&path)).await.unwrap();
        assert_eq!(
            listener.listen_addr().unwrap(),
            ListenAddr::Unix(path.clone())
        );
        assert_eq!(
            listener.local_addr().unwrap_err().kind(),
            ErrorKind::Unsupported
        );
        let server = rt::spawn(async move {
            let (io, peer) = listener.accept().await;
            let cfg = RawSocketServerConfig {
                serializers: Serializer::ALL.to_vec(),
                max_message_size: 1 << 16,
            };
            (peer, accept_rawsocket(io, &cfg).await.unwrap(), listener)
        });
        let io = connect_unix(&path).await.unwrap();
        let mut c = within(connect_rawsocket(io, Serializer::Json, 1 << 16))
            .await
            .unwrap();
        let (peer, mut s, _listener) = within(server).await;
        assert_eq!(peer, PeerAddr::Unix);
        assert_eq!(peer.to_string(), "unix");
        c.writer.feed(Bytes::from_static(b"[1]")).await.unwrap();
        c.writer.flush().await.unwrap();
        assert_eq!(within(s.reader.recv()).await.unwrap().unwrap(), &b"[1]"[..]);
        c.writer.close().await.unwrap();
        assert_eq!(within(s.reader.recv()).await.unwrap(), None);
    });
}

#[test]
fn the_socket_file_is_removed_when_the_listener_is_dropped() {
    block_on(async {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.sock");
        let listener = Listener::bind(&unix(&path)).await.unwrap();
        assert!(is_socket(&path));
        drop(listener);
        assert!(!path.exists());
    });
}

#[test]
fn a_file_put_in_the_sockets_place_is_not_removed() {
    block_on(async {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.sock");
        let listener = Listener::bind(&unix(&path)).await.unwrap();
        std::fs::remove_file(&path).unwrap();
        std::fs::write(&path, b"not ours").unwrap();
        drop(listener);
        assert_eq!(std::fs::read(&path).unwrap(), b"not ours");
    });
}

#[test]
fn a_stale_socket_file_is_replaced() {
    block_on(async {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("stale.sock");
        // A socket whose listener is gone leaves its file behind.
        drop(std::os::unix::net::UnixListener::bind(&path).unwrap());
        assert!(is_socket(&path));
        let listener = Listener::bind(&unix(&path)).await.unwrap();
        let accepting = rt::spawn(async move { listener.accept().await.1 });
        let _client = connect_unix(&path).await.unwrap();
        assert_eq!(within(accepting).await, PeerAddr::Unix);
    });
}

#[test]
fn a_live_socket_is_not_stolen() {
    block_on(async {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("live.sock");
        let other = std::os::unix::net::UnixListener::bind(&path).unwrap();
        let e = Listener::bind(&unix(&path)).await.unwrap_err();
        assert_eq!(e.kind(), ErrorKind::AddrInUse);
        assert!(e.to_string().contains("listening"), "{e}");
        // The other listener still has its socket.
        assert!(is_socket(&path));
        let _client = std::os::unix::net::UnixStream::connect(&path).unwrap();
        other.set_nonblocking(false).unwrap();
        // Our probe connection, then the client: both reached the other listener.
        other.accept().unwrap();
        other.accept().unwrap();
    });
}

#[test]
fn a_path_that_is_not_a_socket_is_left_alone() {
    block_on(async {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("data.txt");
        std::fs::write(&path, b"precious").unwrap();
        let e = Listener::bind(&unix(&path)).await.unwrap_err();
        assert_eq!(e.kind(), ErrorKind::AlreadyExists);
        assert!(e.to_string().contains("not a socket"), "{e}");
        assert_eq!(std::fs::read(&path).unwrap(), b"precious");
    });
}

#[test]
fn the_mode_is_applied() {
    block_on(async {
        let dir = tempfile::tempdir().unwrap();
        for mode in [0o600, 0o660, 0o777] {
            let path = dir.path().join(format!("m{mode:o}.sock"));
            let options = BindOptions {
                unix_mode: Some(mode),
            };
            let _listener = Listener::bind_with(&unix(&path), &options).await.unwrap();
            let got = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
            assert_eq!(got, mode, "{mode:o}");
        }
    });
}

#[test]
fn relative_paths_parse_and_a_missing_directory_fails() {
    block_on(async {
        let addr: ListenAddr = "unix:relative/x.sock".parse().unwrap();
        assert_eq!(addr, ListenAddr::Unix("relative/x.sock".into()));
        // Binding it where the directory does not exist fails, and says so.
        let e = Listener::bind(&"unix:/nonexistent-dir-crossway/x.sock".parse().unwrap())
            .await
            .unwrap_err();
        assert_eq!(e.kind(), ErrorKind::NotFound);
    });
}
