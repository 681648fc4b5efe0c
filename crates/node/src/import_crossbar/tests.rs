#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

use std::path::PathBuf;

use super::{Folders, Imported, import};

fn here() -> Folders {
    Folders {
        input: PathBuf::from("."),
        output: PathBuf::from("."),
    }
}

fn run(json: &str) -> Imported {
    import(json, &here()).unwrap()
}

fn paths(list: &[super::Untranslated]) -> Vec<&str> {
    list.iter().map(|u| u.path.as_str()).collect()
}

#[test]
fn the_configuration_crossbar_init_writes() {
    let out = run(include_str!("../../tests/fixtures/crossbar/init.json"));
    let y = &out.yaml;
    assert!(y.contains("transport: rawsocket"), "{y}");
    assert!(
        y.contains("listen: \"0.0.0.0:8081\"") || y.contains("listen: 0.0.0.0:8081"),
        "{y}"
    );
    assert!(y.contains("path: /ws"), "{y}");
    assert!(y.contains("uri: \"\""), "{y}");
    assert!(y.contains("keepalive_interval: 10"), "{y}");
    assert_eq!(
        paths(&out.untranslated),
        [
            "workers[0].transports[1].paths[\"/\"]",
            "workers[0].transports[1].paths.info",
        ]
    );
    assert!(
        paths(&out.dropped).contains(&"workers[0].transports[1].paths.ws.options.compression"),
        "{:?}",
        out.dropped
    );
}

#[test]
fn the_guides_cipher_string_is_kept_as_written() {
    let out = run(include_str!("../../tests/fixtures/crossbar/guide-tls.json"));
    assert!(
        out.yaml.contains("ECDH+AESGCM:DH+AESGCM:ECDH+AES256:DH+AES256:ECDH+AES128:DH+AES:ECDH+3DES:DH+3DES:RSA+AES:RSA+3DES:!ADH:!AECDH:!MD5:!DSS"),
        "{}",
        out.yaml
    );
    assert_eq!(
        paths(&out.untranslated),
        [
            "workers[0].transports[0].paths[\"/\"]",
            "workers[0].transports[1].paths[\"/\"]",
            "workers[0].transports[1]",
        ]
    );
    assert_eq!(
        paths(&out.dropped),
        ["workers[0].transports[0].endpoint.tls.dhparam"]
    );
}

#[test]
fn auth_methods_roles_and_what_is_left_over() {
    let out = run(include_str!("../../tests/fixtures/crossbar/auth.json"));
    let y = &out.yaml;
    for want in [
        "authenticator: com.example.authenticate",
        "salt: salt123",
        "keylen: 16",
        "role: authenticator",
        "max_message_size: 2097152",
        "keepalive_timeout: 7.5",
        "listen: \"unix:crossbar.sock\"",
        "disclose: true",
        "name: backend",
    ] {
        assert!(y.contains(want), "{want} in {y}");
    }
    assert_eq!(
        paths(&out.untranslated),
        [
            "workers[0].realms[0].roles[1].permissions[0].disclose",
            "workers[0].realms[0].roles[3].authorizer",
            "workers[0].transports[1].serializers[1]",
            "workers[0].transports[2].auth.scram",
            "workers[0].transports[2].auth.tls",
            "workers[1]",
        ]
    );
    // The comment block at the top names each of them.
    assert!(
        y.starts_with("# Converted from a Crossbar.io config.json"),
        "{y}"
    );
    assert!(
        y.contains("#   workers[1]: a worker of type container"),
        "{y}"
    );
}

#[test]
fn relative_files_follow_the_output() {
    let folders = Folders {
        input: PathBuf::from("node/.crossbar"),
        output: PathBuf::from("elsewhere"),
    };
    let out = import(
        include_str!("../../tests/fixtures/crossbar/guide-default-ciphers.json"),
        &folders,
    )
    .unwrap();
    assert!(
        out.yaml.contains("node/.crossbar/server.key"),
        "{}",
        out.yaml
    );
    assert!(out.yaml.contains("path: /ws"), "{}", out.yaml);
    assert!(out.untranslated.is_empty(), "{:?}", out.untranslated);
}

#[test]
fn not_a_crossbar_configuration() {
    assert!(import("[1, 2]", &here()).is_err());
    assert!(import("{\"version\": 2}", &here()).is_err());
    assert!(import("{", &here()).is_err());
}
