//! Lean WAMP subscribers: bare sessions that count EVENT frames without decoding most of them.
//!
//! Decoding a small JSON EVENT costs about a third of a microsecond, so a generator that
//! decodes every delivery on its one core tops out near a million deliveries per second, below
//! what a fast router sends. A lean subscriber recognises an EVENT by its first octets, counts
//! it, and decodes one in `--sample` (for latency) plus every frame that may be an end marker
//! (its arguments start with the string `"end"`, which a stamped publication's never do). The
//! count is exact; latency comes from the decoded sample.

use crossway_client::ConnectOptions;
use std::time::Duration;

use crossway_protocol::{Codec, Dict, Message, RequestId, SubscriptionId, Uri};
use crossway_transport::{Connection, Serializer, rt};

use crate::bare;
use crate::payload::Received;
use crate::subscriber::SubscriberStats;
use crate::tally::Tally;

/// How long closing the connection may take once the subscriber is done.
const CLOSE_TIMEOUT: Duration = Duration::from_secs(2);
/// How far into a frame an end marker's `"end"` can be: past the message type, two ids and
/// empty details.
const MARKER_WINDOW: usize = 96;

/// A joined, subscribed bare session.
pub struct BareSubscriber {
    conn: Connection,
    codec: Codec,
    subscription: SubscriptionId,
}

impl BareSubscriber {
    /// Connects, joins `realm` and subscribes to `topic`.
    pub async fn subscribe(
        url: &str,
        realm: &str,
        serializer: Serializer,
        connect: &ConnectOptions,
        topic: &str,
    ) -> Result<BareSubscriber, String> {
        let (mut conn, codec) = bare::join(url, realm, serializer, connect).await?;
        let subscribe = Message::Subscribe {
            request: RequestId(1),
            options: Dict::new(),
            topic: Uri::new(topic),
        };
        bare::send(&mut conn, codec, &subscribe).await?;
        match bare::recv(&mut conn, codec).await? {
            Message::Subscribed { subscription, .. } => Ok(BareSubscriber {
                conn,
                codec,
                subscription,
            }),
            other => Err(format!("expected SUBSCRIBED, got {}", other.name())),
        }
    }

    /// Receives until every publisher's end marker has arrived, the session ends, or `stop`
    /// is closed.
    pub async fn receive(
        mut self,
        mut tally: Tally,
        stop: async_channel::Receiver<()>,
    ) -> SubscriberStats {
        while !tally.done() {
            let Ok(Some(frame)) = bare::recv_unless(&mut self.conn, &stop).await else {
                break;
            };
            if !is_event(self.codec, &frame) {
                match self.codec.decode(&frame) {
                    Ok(Message::Goodbye { .. } | Message::Abort { .. }) | Err(_) => break,
                    Ok(_) => tally.foreign(),
                }
                continue;
            }
            let (codec, subscription) = (self.codec, self.subscription);
            tally.delivery(may_be_marker(codec, &frame), || {
                match codec.decode_bytes(frame) {
                    Ok(Message::Event {
                        subscription: s,
                        payload,
                        ..
                    }) if s == subscription => {
                        Received::classify(payload.args().ok().flatten().as_ref())
                    }
                    _ => Received::Other,
                }
            });
        }
        let _ = rt::timeout(CLOSE_TIMEOUT, self.conn.writer.close()).await;
        tally.finish()
    }
}

/// Whether `frame` is an EVENT, from its first octets: `[36,` in JSON; an array, then 36, in
/// CBOR (`0x18 0x24`) and MessagePack (`0x24`).
pub fn is_event(codec: Codec, frame: &[u8]) -> bool {
    match codec {
        Codec::Json => frame.starts_with(b"[36,"),
        Codec::Cbor => matches!(frame, [0x80..=0x97, 0x18, 0x24, ..]),
        Codec::MsgPack => matches!(frame, [0x90..=0x9f, 0x24, ..]),
    }
}

/// Whether an EVENT frame may carry an end marker: the string `end` near its start (a stamped
/// publication's first argument is an integer, so this only rarely matches one by chance, and
/// such a frame is simply decoded).
pub fn may_be_marker(codec: Codec, frame: &[u8]) -> bool {
    let needle: &[u8] = match codec {
        Codec::Json => b"\"end\"",
        Codec::Cbor => &[0x63, b'e', b'n', b'd'],
        Codec::MsgPack => &[0xa3, b'e', b'n', b'd'],
    };
    let head = frame.get(..MARKER_WINDOW.min(frame.len())).unwrap_or(frame);
    // The first octet first: comparing every window whole made this 40% of a lean
    // subscriber's time.
    head.windows(needle.len())
        .any(|w| w.first() == needle.first() && w == needle)
}

impl std::fmt::Debug for BareSubscriber {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BareSubscriber")
            .field("codec", &self.codec)
            .field("subscription", &self.subscription)
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::payload::Payload;
    use crossway_protocol::PublicationId;

    fn event(args: Vec<crossway_protocol::Value>) -> Message {
        Message::Event {
            subscription: SubscriptionId(9_007_199_254_740_992),
            publication: PublicationId(9_007_199_254_740_991),
            details: Dict::new(),
            payload: crossway_protocol::Payload::new(Some(args), None),
        }
    }

    #[test]
    fn events_are_recognised_by_their_first_octets() {
        for codec in Codec::ALL {
            let ev = codec.encode(&event(Payload::new(64).args(7))).unwrap();
            assert!(is_event(codec, &ev), "{codec}");
            let published = Message::Published {
                request: RequestId(36),
                publication: PublicationId(36),
            };
            assert!(
                !is_event(codec, &codec.encode(&published).unwrap()),
                "{codec}"
            );
            let bye = Message::goodbye("wamp.close.normal");
            assert!(!is_event(codec, &codec.encode(&bye).unwrap()), "{codec}");
        }
    }

    #[test]
    fn end_markers_are_always_spotted_and_stamped_events_are_not() {
        for codec in Codec::ALL {
            let marker = codec
                .encode(&event(Payload::end_marker(9, u64::MAX >> 11)))
                .unwrap();
            assert!(may_be_marker(codec, &marker), "{codec}");
            for stamp in [0, 1, 1 << 40, u64::MAX >> 1] {
                let ev = codec
                    .encode(&event(Payload::new(4096).args(stamp)))
                    .unwrap();
                assert!(!may_be_marker(codec, &ev), "{codec} {stamp}");
            }
        }
    }
}
