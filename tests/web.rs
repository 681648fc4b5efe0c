//! Web paths of an endpoint over real sockets: static files (index, content types, ETag and
//! Last-Modified with 304, HEAD, no listing, no way out of the directory), redirects, HSTS, and
//! the files and the WebSocket on one TLS port.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

mod common;
#[path = "../crates/transport/tests/pki/mod.rs"]
mod pki;

use std::net::SocketAddr;
use std::path::PathBuf;

use common::{TestNode, endpoint, http, node_config, parse_answer, run, within};
use crossway_client::{Client, ConnectOptions};
use crossway_node::config::{HstsSpec, TlsSpec, WebPath, WebPathKind};
use crossway_transport::Serializer;
use crossway_transport::tls::{TlsClientSettings, TlsConnector, TlsSettings};
use pki::{Ca, Dir};

const INDEX: &str = "<!doctype html><title>app</title>";
const SECRET: &str = "outside the web directory";

/// A web directory with an index, a script, a sub-directory without index, a symlink to a file
/// inside and one to a file outside, and a secret file beside the directory.
fn site(dir: &Dir) -> PathBuf {
    let web = dir.path().join("web");
    std::fs::create_dir_all(web.join("sub")).unwrap();
    std::fs::write(web.join("index.html"), INDEX).unwrap();
    std::fs::write(web.join("app.js"), "console.log(1)").unwrap();
    std::fs::write(web.join("sub/data.json"), "{}").unwrap();
    std::fs::write(dir.path().join("secret.txt"), SECRET).unwrap();
    #[cfg(unix)]
    {
        std::os::unix::fs::symlink(web.join("app.js"), web.join("link.js")).unwrap();
        std::os::unix::fs::symlink(dir.path().join("secret.txt"), web.join("escape.txt")).unwrap();
        std::os::unix::fs::symlink(dir.path(), web.join("up")).unwrap();
    }
    std::fs::canonicalize(web).unwrap()
}

fn static_path(path: &str, directory: PathBuf) -> WebPath {
    WebPath {
        path: path.into(),
        kind: WebPathKind::Static { directory },
    }
}

fn get(path: &str, extra: &str) -> Vec<u8> {
    format!("GET {path} HTTP/1.1\r\nHost: test\r\n{extra}\r\n").into_bytes()
}

fn header<'a>(headers: &'a [(String, String)], name: &str) -> Option<&'a str> {
    headers
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
}

#[test]
fn static_files_are_served_and_nothing_outside_the_directory() {
    run(async {
        let dir = Dir::new();
        let web = site(&dir);
        let mut ep = endpoint("web");
        ep.web = vec![
            static_path("/", web.clone()),
            WebPath {
                path: "/old".into(),
                kind: WebPathKind::Redirect {
                    url: "https://example.com/new".into(),
                    status: 301,
                },
            },
        ];
        let node = TestNode::start_with(node_config(vec![ep])).await;
        let addr = node.addr;

        let (status, headers, body) = http(addr, &get("/", "")).await;
        assert_eq!(status, 200);
        assert_eq!(body, INDEX.as_bytes());
        assert_eq!(
            header(&headers, "content-type"),
            Some("text/html; charset=utf-8")
        );
        assert_eq!(header(&headers, "x-content-type-options"), Some("nosniff"));
        assert!(header(&headers, "strict-transport-security").is_none());
        let etag = header(&headers, "etag").unwrap().to_owned();
        let modified = header(&headers, "last-modified").unwrap().to_owned();

        let (status, headers, body) = http(addr, &get("/app.js", "")).await;
        assert_eq!((status, body.as_slice()), (200, &b"console.log(1)"[..]));
        assert_eq!(
            header(&headers, "content-type"),
            Some("text/javascript; charset=utf-8")
        );

        // Conditional requests: the ETag, the date, and a stale ETag.
        let (status, _, body) = http(addr, &get("/", &format!("If-None-Match: {etag}\r\n"))).await;
        assert_eq!((status, body.len()), (304, 0));
        let ims = format!("If-Modified-Since: {modified}\r\n");
        let (status, _, _) = http(addr, &get("/index.html", &ims)).await;
        assert_eq!(status, 304);
        let (status, _, body) = http(addr, &get("/", "If-None-Match: \"stale\"\r\n")).await;
        assert_eq!((status, body.as_slice()), (200, INDEX.as_bytes()));

        // HEAD: the headers of GET, no body.
        let head = b"HEAD /app.js HTTP/1.1\r\nHost: test\r\n\r\n";
        let (status, headers, body) = http(addr, head).await;
        assert_eq!((status, body.len()), (200, 0));
        assert_eq!(header(&headers, "content-length"), Some("14"));

        let post = b"POST / HTTP/1.1\r\nHost: test\r\nContent-Length: 0\r\n\r\n";
        let (status, headers, _) = http(addr, post).await;
        assert_eq!(status, 405);
        assert_eq!(header(&headers, "allow"), Some("GET, HEAD"));

        // A directory: redirected to its slash form, then no listing.
        let (status, headers, _) = http(addr, &get("/sub?x=1", "")).await;
        assert_eq!(status, 301);
        assert_eq!(header(&headers, "location"), Some("/sub/?x=1"));
        assert_eq!(http(addr, &get("/sub/", "")).await.0, 404);
        assert_eq!(http(addr, &get("/sub/data.json", "")).await.0, 200);
        assert_eq!(http(addr, &get("/missing.html", "")).await.0, 404);

        // Every way out: 404 or 400, and never the secret.
        for (path, want) in [
            ("/../secret.txt", 404),
            ("/%2e%2e/secret.txt", 404),
            ("/%2E%2E%2Fsecret.txt", 404),
            ("/sub/..%2f..%2fsecret.txt", 404),
            ("/sub/%2e%2e/%2e%2e/secret.txt", 404),
            ("/./index.html", 404),
            ("/..%5csecret.txt", 404),
            ("/index.html%00.js", 400),
            ("/%ff", 400),
            ("/escape.txt", 404),
            ("/up/secret.txt", 404),
        ] {
            let (status, _, body) = http(addr, &get(path, "")).await;
            assert_eq!(status, want, "{path}");
            assert!(
                !String::from_utf8_lossy(&body).contains(SECRET),
                "{path} leaked the secret"
            );
        }
        // A symlink that stays inside is followed.
        let (status, _, body) = http(addr, &get("/link.js", "")).await;
        assert_eq!((status, body.as_slice()), (200, &b"console.log(1)"[..]));

        // The redirect keeps the rest of the path and the query.
        let (status, headers, _) = http(addr, &get("/old/a/b?q=1", "")).await;
        assert_eq!(status, 301);
        assert_eq!(
            header(&headers, "location"),
            Some("https://example.com/new/a/b?q=1")
        );

        // The WebSocket upgrade still wins at its path.
        let client = Client::connect(&node.url, "realm1", Serializer::Json).await;
        assert!(client.is_ok());
        node.stop().await;
    });
}

#[test]
fn a_large_file_streams_whole() {
    run(async {
        let dir = Dir::new();
        let web = site(&dir);
        let big: Vec<u8> = (0..6_000_000u32).map(|i| (i % 251) as u8).collect();
        std::fs::write(web.join("big.bin"), &big).unwrap();
        let mut ep = endpoint("web");
        ep.web = vec![static_path("/files", web)];
        let node = TestNode::start_with(node_config(vec![ep])).await;
        let (status, headers, body) = http(node.addr, &get("/files/big.bin", "")).await;
        assert_eq!(status, 200);
        assert_eq!(
            header(&headers, "content-type"),
            Some("application/octet-stream")
        );
        assert_eq!(body.len(), big.len());
        assert!(body == big, "the body is the file");
        // Outside the prefix: nothing.
        assert_eq!(http(node.addr, &get("/filesx/big.bin", "")).await.0, 404);
        node.stop().await;
    });
}

#[test]
fn without_a_websocket_path_the_endpoint_serves_the_web_alone() {
    run(async {
        let mut ep = endpoint("redirect");
        ep.upgrade = false;
        ep.web = vec![WebPath {
            path: "/".into(),
            kind: WebPathKind::Redirect {
                url: "https://example.com".into(),
                status: 308,
            },
        }];
        let node = TestNode::start_with(node_config(vec![ep])).await;
        let (status, headers, _) = http(node.addr, &get("/ws", "")).await;
        assert_eq!(status, 308);
        assert_eq!(header(&headers, "location"), Some("https://example.com/ws"));
        let client = Client::connect(&node.url, "realm1", Serializer::Json).await;
        assert!(client.is_err(), "no WAMP upgrade on a web-only endpoint");
        node.stop().await;
    });
}

/// One request over TLS to `addr`, trusting `ca`: status, headers (lower case) and body.
async fn https(
    addr: SocketAddr,
    ca: PathBuf,
    request: &[u8],
) -> (u16, Vec<(String, String)>, Vec<u8>) {
    use futures_util::io::{AsyncReadExt, AsyncWriteExt};
    let connector = TlsConnector::new(&TlsClientSettings::new(vec![ca])).unwrap();
    let io = crossway_transport::connect_tcp(&addr.to_string())
        .await
        .unwrap();
    let mut io = within("TLS handshake", connector.connect(io, "localhost"))
        .await
        .unwrap()
        .io;
    io.write_all(request).await.unwrap();
    io.flush().await.unwrap();
    let mut raw = Vec::new();
    within("the HTTPS answer", io.read_to_end(&mut raw))
        .await
        .unwrap();
    parse_answer(&raw)
}

#[test]
fn files_and_the_websocket_share_one_tls_port_with_hsts() {
    run(async {
        let dir = Dir::new();
        let web = site(&dir);
        let ca = Ca::root("web CA");
        let server = ca.server();
        let ca_pem = dir.write("ca.pem", &ca.pem);
        let mut ep = endpoint("site");
        ep.tls = Some(TlsSpec {
            settings: TlsSettings::new(
                dir.write("server.pem", &server.chain_pem),
                dir.write("server.key", &server.key_pem),
            ),
            create_if_missing: false,
        });
        ep.web = vec![static_path("/", web)];
        ep.hsts = Some(HstsSpec {
            max_age: 86400,
            include_subdomains: true,
        });
        let node = TestNode::start_with(node_config(vec![ep])).await;
        let addr = node.addr;

        let (status, headers, body) = https(addr, ca_pem.clone(), &get("/", "")).await;
        assert_eq!((status, body.as_slice()), (200, INDEX.as_bytes()));
        assert_eq!(
            header(&headers, "strict-transport-security"),
            Some("max-age=86400; includeSubDomains")
        );
        let (status, headers, _) = https(addr, ca_pem.clone(), &get("/missing", "")).await;
        assert_eq!(status, 404);
        assert!(header(&headers, "strict-transport-security").is_some());

        // The WebSocket on the same port: a subscriber and a publisher over wss.
        let opts = || ConnectOptions::with_tls(TlsClientSettings::new(vec![ca_pem.clone()]));
        let url = format!("wss://localhost:{}/ws", addr.port());
        let sub = Client::connect_with(&url, "realm1", Serializer::Json, opts())
            .await
            .unwrap();
        let mut events = sub.subscribe("com.example.web").await.unwrap();
        let publisher = Client::connect_with(&url, "realm1", Serializer::Cbor, opts())
            .await
            .unwrap();
        publisher
            .publish_acknowledged("com.example.web", Some(vec!["hi".into()]), None)
            .await
            .unwrap();
        let ev = within("the event over wss", events.next()).await.unwrap();
        assert_eq!(ev.args, Some(vec!["hi".into()]));
        node.stop().await;
    });
}
