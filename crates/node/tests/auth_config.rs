//! The `auth` block of endpoints and the `roles` of realms: a full configuration loads into the
//! router's types, every problem is named with its key path and line, and what is allowed but
//! suspicious is a warning.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

mod common;

use std::collections::BTreeMap;

use common::{dev_certificates, errors, has, load_in, loads};
use crossway_routing::auth::{
    Admission, AnonymousAuth, CertField, CraSalt, CryptosignAuth, CryptosignPrincipal, PublicKey,
    Secret, TicketAuth, TicketPrincipal, TlsAuth, WampCraAuth, WampCraPrincipal,
};
use crossway_routing::{Action, AuthPolicy, MatchPolicy, PermissionRule, RoleConfig};

const KEY_A: &str = "1111111111111111111111111111111111111111111111111111111111111111";
const KEY_B: &str = "ABCDEF0123456789abcdef0123456789ABCDEF0123456789abcdef0123456789";

fn admission(role: &str, realm: Option<&str>) -> Admission {
    Admission {
        role: role.to_owned(),
        realm: realm.map(str::to_owned),
    }
}

fn rule(uri: &str, policy: MatchPolicy, allow: &[Action], disclose: bool) -> PermissionRule {
    PermissionRule {
        uri: uri.to_owned(),
        policy,
        allow: allow.iter().copied().collect(),
        disclose,
    }
}

fn full_config() -> String {
    format!(
        "\
realms:
  - name: realm1
    roles:
      - name: user
        permissions:
          - {{ uri: com.example., match: prefix, allow: [publish, subscribe], disclose: true }}
          - {{ uri: com.example..status, match: wildcard, allow: [subscribe] }}
          - {{ uri: com.example.admin }}
      - name: admin
        permissions:
          - {{ uri: \"\", match: prefix, allow: [publish, subscribe, call, register] }}
      - {{ name: public, permissions: [] }}
      - name: device
        permissions:
          - {{ uri: com.example.telemetry, allow: [publish] }}
  - name: realm2
endpoints:
  - name: app
    transport: websocket
    listen: 127.0.0.1:0
    tls:
      certificate: certs/server.pem
      key: certs/server.key
      ca_certificates: [certs/ca.pem]
      client_auth: optional
    auth:
      anonymous: {{ role: public }}
      ticket:
        principals:
          alice.smith: {{ ticket: \"${{ALICE_TICKET}}\", role: user, realm: realm1 }}
          Device-A: {{ ticket: \"pre-${{PART}}-post\", role: device }}
      wampcra:
        principals:
          bob: {{ secret: \"${{BOB_SECRET}}\", role: user }}
          carl: {{ secret: plain, role: user, salt: s4lt, iterations: 100, keylen: 16 }}
          dora: {{ secret: plain2, role: user, salt: s4lt2 }}
      cryptosign:
        principals:
          carol: {{ authorized_keys: [\"{KEY_A}\", \"{KEY_B}\"], role: user }}
      tls:
        authid: common_name
        role: device
        principals: {{ sensor.1: {{ role: admin }}, \"Sensor 2\": {{ role: admin, realm: realm1 }} }}
  - name: plain
    transport: rawsocket
    listen: 127.0.0.1:1
"
    )
}

#[test]
fn a_full_auth_and_roles_config_loads_into_the_router_types() {
    let dir = tempfile::tempdir().unwrap();
    dev_certificates(&dir);
    let cfg = load_in(
        &dir,
        &full_config(),
        &[
            ("ALICE_TICKET", "t1cket"),
            ("PART", "middle"),
            ("BOB_SECRET", "s3cret"),
        ],
    )
    .unwrap_or_else(|e| panic!("{e}"));

    use Action::*;
    let user = RoleConfig {
        name: "user".into(),
        permissions: vec![
            rule(
                "com.example.",
                MatchPolicy::Prefix,
                &[Publish, Subscribe],
                true,
            ),
            rule(
                "com.example..status",
                MatchPolicy::Wildcard,
                &[Subscribe],
                false,
            ),
            rule("com.example.admin", MatchPolicy::Exact, &[], false),
        ],
    };
    let admin = RoleConfig {
        name: "admin".into(),
        permissions: vec![rule("", MatchPolicy::Prefix, &Action::ALL, false)],
    };
    let public = RoleConfig {
        name: "public".into(),
        permissions: vec![],
    };
    let device = RoleConfig {
        name: "device".into(),
        permissions: vec![rule(
            "com.example.telemetry",
            MatchPolicy::Exact,
            &[Publish],
            false,
        )],
    };
    assert_eq!(cfg.realms[0].roles, Some(vec![user, admin, public, device]));
    assert_eq!(cfg.realms[1].roles, None);

    let principal = |ticket: &str, a: Admission| TicketPrincipal {
        ticket: Secret::new(ticket),
        admission: a,
    };
    let expected = AuthPolicy {
        anonymous: Some(AnonymousAuth {
            role: "public".into(),
        }),
        ticket: Some(TicketAuth {
            principals: BTreeMap::from([
                (
                    "alice.smith".to_owned(),
                    principal("t1cket", admission("user", Some("realm1"))),
                ),
                (
                    "Device-A".to_owned(),
                    principal("pre-middle-post", admission("device", None)),
                ),
            ]),
            authenticator: None,
        }),
        wampcra: Some(WampCraAuth {
            principals: BTreeMap::from([
                (
                    "bob".to_owned(),
                    WampCraPrincipal {
                        secret: Secret::new("s3cret"),
                        salt: None,
                        admission: admission("user", None),
                    },
                ),
                (
                    "carl".to_owned(),
                    WampCraPrincipal {
                        secret: Secret::new("plain"),
                        salt: Some(CraSalt {
                            salt: "s4lt".into(),
                            iterations: 100,
                            keylen: 16,
                        }),
                        admission: admission("user", None),
                    },
                ),
                (
                    "dora".to_owned(),
                    WampCraPrincipal {
                        secret: Secret::new("plain2"),
                        salt: Some(CraSalt {
                            salt: "s4lt2".into(),
                            iterations: 1000,
                            keylen: 32,
                        }),
                        admission: admission("user", None),
                    },
                ),
            ]),
            authenticator: None,
        }),
        cryptosign: Some(CryptosignAuth {
            principals: BTreeMap::from([(
                "carol".to_owned(),
                CryptosignPrincipal {
                    authorized_keys: vec![
                        PublicKey::from_hex(KEY_A).unwrap(),
                        PublicKey::from_hex(KEY_B).unwrap(),
                    ],
                    admission: admission("user", None),
                },
            )]),
            authenticator: None,
        }),
        tls: Some(TlsAuth {
            authid: CertField::CommonName,
            role: Some("device".into()),
            principals: BTreeMap::from([
                ("sensor.1".to_owned(), admission("admin", None)),
                ("Sensor 2".to_owned(), admission("admin", Some("realm1"))),
            ]),
        }),
    };
    assert_eq!(cfg.endpoints[0].auth, expected);
    assert_eq!(
        cfg.endpoints[1].auth,
        AuthPolicy::open(),
        "no auth block: anonymous sessions with role anonymous"
    );
    assert_eq!(
        cfg.warnings,
        vec![
            "sessions of role \"anonymous\" from endpoint \"plain\" will be refused in realm \"realm1\", which has no such role"
        ]
    );
    assert!(
        !format!("{cfg:?}").contains("s3cret"),
        "secrets are redacted"
    );
}

#[test]
fn auth_problems_are_named_with_key_and_line() {
    let e = errors(&format!(
        "\
realms:
  - name: realm1
endpoints:
  - name: a
    transport: websocket
    listen: 127.0.0.1:0
    auth:
      anonymous: {{}}
      ticket:
        principals: {{}}
      wampcra:
        principals:
          bob: {{ secret: \"\", role: user, iterations: 0 }}
          eve: {{ secret: x, role: \" \", salt: s, keylen: 2000, realm: nowhere }}
      cryptosign:
        principals:
          carol: {{ authorized_keys: [abc], role: user }}
          dave: {{ authorized_keys: [\"{KEY_A}\", \"{KEY_A}\"], role: user }}
          erin: {{ authorized_keys: [\"{KEY_A}\"], role: user }}
          frank: {{ authorized_keys: [], role: user }}
      tls:
        authid: serial_number
      kerberos: {{}}
  - name: b
    transport: websocket
    listen: 127.0.0.1:1
    auth: {{}}
  - name: c
    transport: websocket
    listen: 127.0.0.1:2
    auth:
      tls: {{ authid: common_name, role: device, principals: {{ sensor.1: {{ rol: admin }} }} }}
      ticket: {{ principals: {{ alice: {{ ticket: [1], role: user, colour: red }} }} }}
"
    ));
    let a = "endpoints[0].auth";
    let checks: &[(&str, usize, &str)] = &[
        ("anonymous.role", 8, "required key is missing"),
        ("ticket.principals", 10, "give at least one principal"),
        ("wampcra.principals.bob.secret", 13, "must not be empty"),
        (
            "wampcra.principals.bob.iterations",
            13,
            "applies only with salt",
        ),
        ("wampcra.principals.bob.iterations", 13, "must be from 1 to"),
        ("wampcra.principals.eve.role", 14, "must not be empty"),
        (
            "wampcra.principals.eve.keylen",
            14,
            "must be from 1 to 1024",
        ),
        (
            "wampcra.principals.eve.realm",
            14,
            "\"nowhere\" is not a realm of this node; expected one of: realm1",
        ),
        (
            "cryptosign.principals.carol.authorized_keys[0]",
            17,
            "not an Ed25519 public key: expected 64 hexadecimal characters, found 3",
        ),
        (
            "cryptosign.principals.dave.authorized_keys[1]",
            18,
            "listed twice",
        ),
        (
            "cryptosign.principals.erin.authorized_keys[0]",
            19,
            "already principal \"dave\"'s",
        ),
        (
            "cryptosign.principals.frank.authorized_keys",
            20,
            "give at least one public key",
        ),
        (
            "tls.authid",
            22,
            "\"serial_number\" is not a certificate field; expected one of: common_name, san_dns, san_email, fingerprint",
        ),
        (
            "tls",
            21,
            "give role (the role of any certificate), principals",
        ),
        (
            "kerberos",
            23,
            "unknown key; expected one of: anonymous, ticket, wampcra, cryptosign, tls",
        ),
    ];
    for (key, line, words) in checks {
        assert!(
            has(&e, &format!("{a}.{key}"), Some(*line), words),
            "{a}.{key}: {e}"
        );
    }
    assert!(
        has(
            &e,
            "endpoints[1].auth",
            Some(27),
            "give at least one method: anonymous, ticket"
        ),
        "{e}"
    );
    let c = "endpoints[2].auth";
    assert!(
        has(
            &e,
            &format!("{c}.tls"),
            Some(32),
            "no client certificate can arrive on this endpoint: give its tls block ca_certificates"
        ),
        "{e}"
    );
    assert!(
        has(
            &e,
            &format!("{c}.tls.principals.sensor.1.rol"),
            Some(32),
            "unknown key"
        ),
        "a dotted authid keeps its line: {e}"
    );
    assert!(
        has(
            &e,
            &format!("{c}.tls.principals.sensor.1.role"),
            Some(32),
            "required key is missing"
        ),
        "{e}"
    );
    assert!(
        has(
            &e,
            &format!("{c}.ticket.principals.alice.ticket"),
            Some(33),
            "expected a string, found a list"
        ),
        "{e}"
    );
    assert!(
        has(
            &e,
            &format!("{c}.ticket.principals.alice.colour"),
            Some(33),
            "unknown key"
        ),
        "{e}"
    );
    assert_eq!(e.problems.len(), checks.len() + 6, "{e}");
}

#[test]
fn tls_fingerprints_are_taken_as_openssl_writes_them() {
    let dir = tempfile::tempdir().unwrap();
    dev_certificates(&dir);
    let colons = KEY_B
        .as_bytes()
        .chunks(2)
        .map(|p| std::str::from_utf8(p).unwrap())
        .collect::<Vec<_>>()
        .join(":");
    let text = format!(
        "realms: [{{name: r}}]\nendpoints:\n  - name: s\n    transport: websocket\n    listen: 127.0.0.1:0\n    tls: {{certificate: certs/server.pem, key: certs/server.key, ca_certificates: [certs/ca.pem]}}\n    auth:\n      tls:\n        authid: fingerprint\n        principals:\n          \"{colons}\": {{ role: device }}\n"
    );
    let cfg = load_in(&dir, &text, &[]).unwrap_or_else(|e| panic!("{e}"));
    let tls = cfg.endpoints[0].auth.tls.as_ref().unwrap();
    assert_eq!(tls.authid, CertField::Fingerprint);
    assert_eq!(
        tls.principals.keys().collect::<Vec<_>>(),
        vec![&KEY_B.to_ascii_lowercase()]
    );

    let text = text.replace(&colons, "not-a-fingerprint");
    let e = load_in(&dir, &text, &[]).unwrap_err();
    assert!(
        has(
            &e,
            "endpoints[0].auth.tls.principals.not-a-fingerprint",
            Some(11),
            "64 hexadecimal characters"
        ),
        "{e}"
    );
}

#[test]
fn role_problems_are_named_with_key_and_line() {
    let e = errors(
        "\
realms:
  - name: realm1
    uri_check: strict
    roles:
      - name: user
        permissions:
          - { uri: com.Example.x }
          - { uri: \"com.X.\", match: prefix }
          - { uri: \"\", match: prefix, allow: [publish] }
          - { uri: \"\", match: prefix }
          - { uri: com.x, match: glob, allow: [publish, shout, publish] }
          - { uri: \"\", match: wildcard, disclose: maybe }
      - name: user
        permissions: []
      - name: \"\"
        permissions: {}
      - permissions: []
        colour: red
endpoints:
  - { name: a, transport: websocket, listen: 127.0.0.1:0 }
",
    );
    let p = "realms[0].roles[0].permissions";
    let checks: &[(&str, usize, &str)] = &[
        (
            "[0].uri",
            7,
            "\"com.Example.x\" is not a valid URI: dot-separated components, none empty, only lowercase letters, digits and '_' (uri_check: strict)",
        ),
        ("[1].uri", 8, "\"com.X.\" is not a valid prefix pattern"),
        (
            "[3].uri",
            10,
            "a rule for \"\" with match prefix is already in this role",
        ),
        (
            "[4].match",
            11,
            "\"glob\" is not a match policy; expected exact, prefix or wildcard",
        ),
        (
            "[4].allow[1]",
            11,
            "\"shout\" is not an action; expected one of: publish, subscribe, call, register",
        ),
        ("[4].allow[2]", 11, "\"publish\" is listed twice"),
        ("[5].uri", 12, "is not a valid wildcard pattern"),
        ("[5].disclose", 12, "expected true or false"),
    ];
    for (key, line, words) in checks {
        assert!(
            has(&e, &format!("{p}{key}"), Some(*line), words),
            "{p}{key}: {e}"
        );
    }
    let r = "realms[0].roles";
    assert!(
        has(
            &e,
            &format!("{r}[1].name"),
            Some(13),
            "role \"user\" is defined more than once"
        ),
        "{e}"
    );
    assert!(
        has(&e, &format!("{r}[2].name"), Some(15), "must not be empty"),
        "{e}"
    );
    assert!(
        has(
            &e,
            &format!("{r}[2].permissions"),
            Some(16),
            "expected a list, found a mapping"
        ),
        "{e}"
    );
    assert!(
        has(
            &e,
            &format!("{r}[3].name"),
            Some(17),
            "required key is missing"
        ),
        "{e}"
    );
    assert!(
        has(
            &e,
            &format!("{r}[3].colour"),
            Some(18),
            "unknown key; expected one of: name, permissions"
        ),
        "{e}"
    );
    assert_eq!(e.problems.len(), checks.len() + 5, "{e}");
}

#[test]
fn roles_that_refuse_sessions_are_warnings() {
    let cfg = loads(
        "\
realms:
  - name: realm1
    roles:
      - { name: user, permissions: [{ uri: com.example., match: prefix, allow: [subscribe] }] }
  - name: realm2
    roles: []
  - name: realm3
endpoints:
  - name: open
    transport: websocket
    listen: 127.0.0.1:0
  - name: app
    transport: websocket
    listen: 127.0.0.1:1
    auth:
      ticket:
        principals:
          alice: { ticket: t, role: user, realm: realm1 }
          bob: { ticket: t, role: staff, realm: realm3 }
          carl: { ticket: t, role: guest }
",
        &[],
    );
    let refused = |role: &str, ep: &str, realm: &str| {
        format!(
            "sessions of role \"{role}\" from endpoint \"{ep}\" will be refused in realm \"{realm}\", which has no such role"
        )
    };
    assert_eq!(
        cfg.warnings,
        vec![
            "realms[1].roles: realm \"realm2\" has no roles, so every session will be refused; leave roles out to let every session do everything".to_owned(),
            refused("anonymous", "open", "realm1"),
            refused("anonymous", "open", "realm2"),
            refused("guest", "app", "realm1"),
            refused("guest", "app", "realm2"),
        ],
        "a role given only for another realm is not a warning"
    );
}

#[test]
fn authids_that_yaml_reads_as_numbers_must_be_quoted() {
    let text = "realms: [{name: r}]\nendpoints:\n  - name: a\n    transport: websocket\n    listen: 127.0.0.1:0\n    auth:\n      ticket:\n        principals:\n          007: { ticket: t, role: user }\n          True: { ticket: t, role: user }\n";
    let e = errors(text);
    let p = "endpoints[0].auth.ticket.principals";
    assert!(
        has(
            &e,
            &format!("{p}.007"),
            Some(9),
            "YAML reads this key as 7; quote it (\"007\")"
        ),
        "{e}"
    );
    assert!(
        has(
            &e,
            &format!("{p}.True"),
            Some(10),
            "YAML reads this key as true"
        ),
        "{e}"
    );
    let cfg = loads(
        &text.replace("007", "\"007\"").replace("True", "'True'"),
        &[],
    );
    let ticket = cfg.endpoints[0].auth.ticket.as_ref().unwrap();
    assert_eq!(
        ticket.principals.keys().collect::<Vec<_>>(),
        ["007", "True"]
    );
}

#[test]
fn dynamic_authenticators_are_read_and_checked() {
    let cfg = loads(
        "\
realms:
  - name: realm1
  - name: auth
endpoints:
  - name: app
    transport: websocket
    listen: 127.0.0.1:0
    auth:
      ticket:
        authenticator: com.example.authenticate
        authenticator_realm: auth
        authenticator_timeout: 2.5
      wampcra:
        authenticator: com.example.authenticate
",
        &[],
    );
    let auth = &cfg.endpoints[0].auth;
    let ticket = auth.ticket.as_ref().unwrap();
    assert!(ticket.principals.is_empty());
    let dynamic = ticket.authenticator.as_ref().unwrap();
    assert_eq!(dynamic.procedure, "com.example.authenticate");
    assert_eq!(dynamic.realm.as_deref(), Some("auth"));
    assert_eq!(dynamic.timeout, std::time::Duration::from_millis(2500));
    let cra = auth
        .wampcra
        .as_ref()
        .unwrap()
        .authenticator
        .as_ref()
        .unwrap();
    assert_eq!(cra.realm, None);
    assert_eq!(cra.timeout, std::time::Duration::from_secs(5));

    let e = errors(
        "\
realms:
  - name: realm1
endpoints:
  - name: app
    transport: websocket
    listen: 127.0.0.1:0
    auth:
      ticket:
        authenticator: \"com..bad\"
        authenticator_realm: nowhere
        authenticator_timeout: 0
      cryptosign:
        authenticator_timeout: 3
",
    );
    let base = "endpoints[0].auth";
    assert!(
        has(
            &e,
            &format!("{base}.ticket.authenticator"),
            Some(9),
            "not a valid procedure URI"
        ),
        "{e}"
    );
    assert!(
        has(
            &e,
            &format!("{base}.ticket.authenticator_realm"),
            Some(10),
            "not one of the node's realms"
        ),
        "{e}"
    );
    assert!(
        has(
            &e,
            &format!("{base}.ticket.authenticator_timeout"),
            Some(11),
            "more than 0"
        ),
        "{e}"
    );
    assert!(
        has(
            &e,
            &format!("{base}.cryptosign.authenticator_timeout"),
            Some(13),
            "only with authenticator"
        ),
        "{e}"
    );
    assert!(
        has(
            &e,
            &format!("{base}.cryptosign.principals"),
            Some(12),
            "authenticator"
        ),
        "{e}"
    );
    // A broken authenticator is one problem, not also a missing `principals`.
    assert!(
        !e.problems
            .iter()
            .any(|p| p.key == format!("{base}.ticket.principals")),
        "{e}"
    );
}
