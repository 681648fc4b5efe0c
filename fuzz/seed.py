#!/usr/bin/env python3
"""Writes the seed corpora of the fuzz targets (fuzz/corpus/TARGET/) from the repository.

    python3 fuzz/seed.py [OUT]      OUT defaults to fuzz/corpus

- codec_json, codec_cbor, codec_msgpack: every serialization sample of the WAMP test vectors in
  crates/protocol/tests/vectors/ (one file per sample and serializer variant), plus a nesting
  bomb and an over-long message for each serializer.
- rawsocket_handshake: a handshake for each serializer (with and without a frame after it) and
  the refusals; rawsocket_framing: frames of each type. Both start with the two control octets
  described in fuzz/src/rawsocket.rs.
- config: the repository's config.yaml and a few variants.

File names are stable, so running it again rewrites the same files.
"""

import json
import pathlib
import struct
import sys

ROOT = pathlib.Path(__file__).resolve().parent.parent
VECTORS = ROOT / "crates" / "protocol" / "tests" / "vectors"
MAGIC = 0x7F


def write(out, target, name, data):
    folder = out / target
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_bytes(data)


def codec_seeds(out):
    for path in sorted(VECTORS.glob("*/*.json")):
        stem = f"{path.parent.name}-{path.stem}"
        for i, sample in enumerate(json.loads(path.read_text())["samples"]):
            for codec, variants in sample.get("serializers", {}).items():
                for j, variant in enumerate(variants):
                    data = bytes.fromhex(variant["bytes_hex"])
                    write(out, f"codec_{codec}", f"{stem}-{i}-{j}", data)
    # A PUBLISH whose args nest 100 lists deep (over the decoder's limit of 64).
    depth = 100
    write(out, "codec_json", "bomb-nesting",
          b'[16,1,{},"com.example.t",' + b"[" * depth + b"]" * depth + b"]")
    write(out, "codec_cbor", "bomb-nesting",
          bytes([0x85, 0x10, 0x01, 0xA0, 0x6D]) + b"com.example.t" + bytes([0x81] * depth + [0x80]))
    write(out, "codec_msgpack", "bomb-nesting",
          bytes([0x95, 0x10, 0x01, 0x80, 0xAD]) + b"com.example.t" + bytes([0x91] * depth + [0x90]))
    # PUBLISHes at the depth limit: the message's list, then `args` and lists inside it, 64
    # levels in all (accepted), and 65 (refused).
    for levels in (64, 65):
        inner = levels - 1  # lists from `args` down
        write(out, "codec_json", f"nesting-{levels}",
              b'[16,1,{},"com.example.t",' + b"[" * inner + b"]" * inner + b"]")
        write(out, "codec_cbor", f"nesting-{levels}",
              bytes([0x85, 0x10, 0x01, 0xA0, 0x6D]) + b"com.example.t"
              + bytes([0x81] * (inner - 1) + [0x80]))
        write(out, "codec_msgpack", f"nesting-{levels}",
              bytes([0x95, 0x10, 0x01, 0x80, 0xAD]) + b"com.example.t"
              + bytes([0x91] * (inner - 1) + [0x90]))
    # An EVENT with a float, bytes and a map in kwargs (all three carry them).
    write(out, "codec_json", "event-mixed",
          b'[36,5,6,{},[1.5,-0.0,"\\u0000AAEC"],{"k":{"n":null,"t":true}}]')
    write(out, "codec_cbor", "event-mixed",
          bytes([0x86, 0x18, 0x24, 0x05, 0x06, 0xA0, 0x83, 0xFB]) + struct.pack(">d", 1.5)
          + bytes([0xF9, 0x7E, 0x00, 0x43, 0, 1, 2, 0xA1, 0x61]) + b"k" + bytes([0xF6]))
    write(out, "codec_msgpack", "event-mixed",
          bytes([0x96, 0x24, 0x05, 0x06, 0x80, 0x93, 0xCB]) + struct.pack(">d", 1.5)
          + bytes([0xCB]) + struct.pack(">d", float("nan")) + bytes([0xC4, 3, 0, 1, 2, 0x81, 0xA1])
          + b"k" + bytes([0xC0]))


def frame(kind, payload):
    return bytes([kind]) + len(payload).to_bytes(3, "big") + payload


def rawsocket_seeds(out):
    hello = b'[1,"realm1",{"roles":{"subscriber":{}}}]'
    all_ser = 0x07
    for ser, name in ((1, "json"), (2, "msgpack"), (3, "cbor")):
        hs = bytes([MAGIC, 0xF0 | ser, 0, 0])
        write(out, "rawsocket_handshake", f"accept-{name}", bytes([0x40 | all_ser, 0x00]) + hs)
        write(out, "rawsocket_handshake", f"accept-{name}-frame",
              bytes([0xA0 | all_ser, 0x00]) + hs + frame(0, hello))
        write(out, "rawsocket_handshake", f"accept-{name}-smallpeer-chunked",
              bytes([0x08 | all_ser, 0x23]) + bytes([MAGIC, ser, 0, 0]) + frame(1, b"ping"))
        write(out, "rawsocket_handshake", f"unsupported-{name}",
              bytes([0x40 | (all_ser & ~(1 << (ser - 1))), 0x00]) + hs)
    write(out, "rawsocket_handshake", "reserved-bits", bytes([0x47, 0x00, MAGIC, 0xF1, 0, 1]))
    write(out, "rawsocket_handshake", "not-rawsocket", bytes([0x47, 0x00]) + b"GET /ws HTTP/1.1\r\n")
    write(out, "rawsocket_handshake", "truncated", bytes([0x47, 0x01, MAGIC, 0xF1]))
    write(out, "rawsocket_handshake", "write-fails", bytes([0x47, 0x80, MAGIC, 0xF1, 0, 0]))

    big = bytes(range(256)) * 20  # 5120 octets: longer than the reader's 4 KiB chunk
    seeds = {
        "hello": (0xA0, 0x00, frame(0, hello)),
        "two-messages-chunked": (0xA0, 0x03, frame(0, hello) + frame(0, b"[6,{},\"x\"]")),
        "ping-pong": (0xA0, 0x00, frame(1, b"abc") + frame(2, b"") + frame(0, hello)),
        "ping-write-fails": (0xA0, 0x40, frame(1, b"abc") + frame(0, hello)),
        "pending": (0xA0, 0x25, frame(0, hello) + frame(1, b"") + frame(0, hello)),
        "large": (0x40, 0x00, frame(0, big)),
        "large-truncated": (0x40, 0x00, frame(0, big)[:3000]),
        "too-large": (0x00, 0x00, frame(0, bytes(600))),
        "x-bit": (0xF0, 0x00, bytes([0x08, 0, 0, 0])),
        "reserved-type": (0xA0, 0x00, bytes([0x03, 0, 0, 1, 0])),
        "reserved-bits": (0xA0, 0x00, bytes([0x10, 0, 0, 1, 0])),
        "truncated-header": (0xA0, 0x00, frame(0, hello) + bytes([0, 0])),
        "empty": (0xA0, 0x00, b""),
    }
    for name, (c0, c1, stream) in seeds.items():
        write(out, "rawsocket_framing", name, bytes([c0, c1]) + stream)


def proxy_seeds(out):
    sig = b"\r\n\r\n\x00\r\nQUIT\n"
    rs = bytes([MAGIC, 0xF1, 0, 0])

    def v2(cmd, fam, payload):
        return sig + bytes([cmd, fam]) + len(payload).to_bytes(2, "big") + payload

    tcp4 = bytes([192, 0, 2, 1, 198, 51, 100, 1]) + (56324).to_bytes(2, "big") + (443).to_bytes(2, "big")
    tcp6 = bytes(15) + b"\x01" + bytes(15) + b"\x02" + (1).to_bytes(2, "big") + (2).to_bytes(2, "big")
    tlvs = bytes([0x04, 0, 0, 0x01, 0, 2]) + b"h2" + bytes([0x20, 0, 5, 1, 0, 0, 0, 0])
    seeds = {
        "v1-tcp4": (0x02, b"PROXY TCP4 192.0.2.1 198.51.100.1 56324 443\r\n" + rs),
        "v1-tcp6": (0x00, b"PROXY TCP6 2001:db8::1 ::1 1 65535\r\n" + rs),
        "v1-unknown": (0x02, b"PROXY UNKNOWN ffff::1 ::1 1 2\r\n" + rs),
        "v1-chunked": (0x02 | (3 << 2) | 0x80, b"PROXY TCP4 192.0.2.1 198.51.100.1 1 2\r\nGET"),
        "v1-too-long": (0x02, b"PROXY UNKNOWN " + b"a" * 120 + b"\r\n"),
        "v1-truncated": (0x02, b"PROXY TCP4 192.0.2.1"),
        "v2-tcp4": (0x01, v2(0x21, 0x11, tcp4) + rs),
        "v2-tcp4-tlvs": (0x03, v2(0x21, 0x11, tcp4 + tlvs) + rs),
        "v2-tcp6": (0x03 | (5 << 2), v2(0x21, 0x21, tcp6) + rs),
        "v2-local": (0x01, v2(0x20, 0x00, b"") + rs),
        "v2-unix": (0x03, v2(0x21, 0x31, bytes(216)) + rs),
        "v2-unknown-family": (0x03, v2(0x21, 0x41, tcp4)),
        "v2-short": (0x03, v2(0x21, 0x21, tcp4)),
        "v2-too-long": (0x03, sig + bytes([0x21, 0x11, 0xFF, 0xFF])),
        "not-proxy": (0x03, rs),
    }
    for name, (control, stream) in seeds.items():
        write(out, "proxy_header", name, bytes([control]) + stream)


def config_seeds(out):
    write(out, "config", "repo-config.yaml", (ROOT / "config.yaml").read_bytes())
    variants = {
        "minimal.yaml": """\
realms:
  - name: realm1
endpoints:
  - name: ws
    transport: websocket
    listen: 127.0.0.1:8080
""",
        "every-key.yaml": """\
log_level: debug,crossway_node=trace
limits:
  max_connections: 1000
  handshake_timeout: 10
  hello_timeout: 2.5
  keepalive_interval: 30
  keepalive_timeout: 10
  keepalive_rawsocket: true
  outbox_messages: 1024
  outbox_bytes: 1048576
  shutdown_timeout: 5
realms:
  - name: com.example.realm
    uri_check: strict
  - name: realm2
    uri_check: loose
endpoints:
  - name: web
    transport: websocket
    listen: "[::1]:8080"
    path: /wamp
    serializers: [json, cbor, msgpack]
    max_message_size: 65536
    max_connections: 10
  - name: rs
    transport: rawsocket
    listen: unix:run/crossway.sock
    unix_mode: "0660"
    serializers: [cbor]
  - name: both
    transport: universal
    listen: 0.0.0.0:9000
    tls:
      certificate: certs/server.pem
      key: certs/server.key
      ca_certificates: [certs/ca.pem, certs/other.pem]
      client_auth: optional
      min_version: "1.3"
      ciphers: [TLS13_AES_128_GCM_SHA256, TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256]
      dhparam: dh.pem
      create_if_missing: true
""",
        "problems.yaml": """\
log_level: [1, 2]
realms: []
endpoints:
  - name: a
    transport: carrier-pigeon
    listen: nowhere
    path: ws
    serializers: [json, json, ubjson]
    max_message_size: 12
    unix_mode: "999"
    extra: 1
  - name: a
    transport: rawsocket
    listen: 127.0.0.1:1
    path: /ws
    tls: {key: k.pem}
""",
        "anchors.yaml": """\
defaults: &ep
  transport: websocket
realms:
  - name: realm1
endpoints:
  - <<: *ep
    name: one
    listen: 127.0.0.1:8080
""",
        "not-a-mapping.yaml": "- just\n- a list\n",
        "flow.yaml": '{realms: [{name: r}], endpoints: [{name: e, transport: rawsocket, listen: "127.0.0.1:0"}]}\n',
    }
    for name, text in variants.items():
        write(out, "config", name, text.encode())


def main():
    out = pathlib.Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "fuzz" / "corpus"
    codec_seeds(out)
    rawsocket_seeds(out)
    proxy_seeds(out)
    config_seeds(out)


if __name__ == "__main__":
    main()
