//! A publication's options, and who among the subscribers may receive it.
//!
//! Publisher exclusion (`exclude_me`), publisher identification (`disclose_me`), subscriber
//! black- and whitelisting (`exclude`, `eligible` and their `_authid` and `_authrole` variants),
//! event retention (`retain`) and the payload passthru options (`ppt_*`, `enc_*`), which EVENT
//! details repeat.

use crossway_protocol::{Dict, PASSTHRU_KEYS, SessionId, Value, is_passthru};

use crate::error::RequestError;
use crate::identity::Identity;
use crate::member::Member;
use crate::permissions::Action;

/// The options of one PUBLISH that the broker acts on.
#[derive(Debug, Clone, PartialEq, Default)]
pub(crate) struct PublishOptions {
    /// Whether the publisher is left out of the receivers (default true).
    pub(crate) exclude_me: bool,
    /// Whether EVENT details name the publisher.
    pub(crate) disclose_me: bool,
    /// Whether the event is kept as the topic's retained event.
    pub(crate) retain: bool,
    lists: Option<Box<Lists>>,
    /// The passthru options, which EVENT details carry as given; boxed, as most publications
    /// have none.
    passthru: Option<Box<Dict>>,
}

/// Who published: a session of this node or of another one (the router itself publishes as
/// nobody). EVENT details name it when it asks to be disclosed.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Publisher<'a> {
    /// Its session id.
    pub(crate) id: SessionId,
    /// Who it is.
    pub(crate) identity: &'a Identity,
}

impl<'a> From<&'a Member> for Publisher<'a> {
    fn from(member: &'a Member) -> Publisher<'a> {
        Publisher {
            id: member.id(),
            identity: member.identity(),
        }
    }
}

/// Black- and whitelists; boxed, as most publications have none.
#[derive(Debug, Clone, PartialEq, Default)]
struct Lists {
    exclude: Vec<u64>,
    eligible: Option<Vec<u64>>,
    exclude_authid: Vec<String>,
    eligible_authid: Option<Vec<String>>,
    exclude_authrole: Vec<String>,
    eligible_authrole: Option<Vec<String>>,
}

/// The PUBLISH options that black- or whitelist receivers.
const LIST_KEYS: [&str; 6] = [
    "exclude",
    "eligible",
    "exclude_authid",
    "eligible_authid",
    "exclude_authrole",
    "eligible_authrole",
];

/// The receivers one publication admits.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Audience<'a> {
    publisher: SessionId,
    options: &'a PublishOptions,
    /// For pattern subscriptions: the topic each receiver's role must be allowed to subscribe to
    /// (a pattern the role may subscribe to can match a topic it may not).
    topic: Option<&'a str>,
}

/// Whether the publisher asked for PUBLISHED or ERROR (`acknowledge`). A value that is not a
/// boolean counts as asking, so that the publisher hears about its mistake.
pub(crate) fn wants_acknowledge(options: &Dict) -> bool {
    match options.get("acknowledge") {
        None => false,
        Some(Value::Bool(b)) => *b,
        Some(_) => true,
    }
}

impl PublishOptions {
    /// Reads PUBLISH `options`; options of the wrong type are an `invalid_argument` error.
    pub(crate) fn parse(options: &Dict) -> Result<PublishOptions, RequestError> {
        if options
            .get("acknowledge")
            .is_some_and(|v| v.as_bool().is_none())
        {
            return Err(wrong_type("acknowledge", "a boolean"));
        }
        let exclude_me = bool_option(options, "exclude_me")?.unwrap_or(true);
        let disclose_me = bool_option(options, "disclose_me")?.unwrap_or(false);
        let retain = bool_option(options, "retain")?.unwrap_or(false);
        let passthru = is_passthru(options).then(|| Box::new(passthru_options(options)));
        // Most publications name no list at all: then there is nothing to read or compare.
        let lists = if LIST_KEYS.iter().any(|k| options.contains_key(*k)) {
            let lists = Lists {
                exclude: id_list(options, "exclude")?.unwrap_or_default(),
                eligible: id_list(options, "eligible")?,
                exclude_authid: string_list(options, "exclude_authid")?.unwrap_or_default(),
                eligible_authid: string_list(options, "eligible_authid")?,
                exclude_authrole: string_list(options, "exclude_authrole")?.unwrap_or_default(),
                eligible_authrole: string_list(options, "eligible_authrole")?,
            };
            (lists != Lists::default()).then(|| Box::new(lists))
        } else {
            None
        };
        Ok(PublishOptions {
            exclude_me,
            disclose_me,
            retain,
            lists,
            passthru,
        })
    }

    /// The options as PUBLISH would give them, for [`PublishOptions::parse`] on another node: the
    /// same receivers and details there as here.
    pub(crate) fn to_dict(&self) -> Dict {
        let mut dict = self.passthru.as_deref().cloned().unwrap_or_default();
        // Left out when it is the default (true): most publications then cross with no options.
        if !self.exclude_me {
            dict.insert("exclude_me".to_owned(), Value::Bool(false));
        }
        if self.disclose_me {
            dict.insert("disclose_me".to_owned(), Value::Bool(true));
        }
        if self.retain {
            dict.insert("retain".to_owned(), Value::Bool(true));
        }
        if let Some(lists) = &self.lists {
            let ids = |v: &[u64]| Value::List(v.iter().map(|i| Value::from(*i)).collect());
            let strs =
                |v: &[String]| Value::List(v.iter().map(|s| Value::from(s.as_str())).collect());
            let mut put = |key: &str, value: Option<Value>| {
                if let Some(value) = value {
                    dict.insert(key.to_owned(), value);
                }
            };
            put(
                "exclude",
                (!lists.exclude.is_empty()).then(|| ids(&lists.exclude)),
            );
            put("eligible", lists.eligible.as_deref().map(ids));
            put(
                "exclude_authid",
                (!lists.exclude_authid.is_empty()).then(|| strs(&lists.exclude_authid)),
            );
            put(
                "eligible_authid",
                lists.eligible_authid.as_deref().map(strs),
            );
            put(
                "exclude_authrole",
                (!lists.exclude_authrole.is_empty()).then(|| strs(&lists.exclude_authrole)),
            );
            put(
                "eligible_authrole",
                lists.eligible_authrole.as_deref().map(strs),
            );
        }
        dict
    }

    /// Options for a publication the router makes (meta events): delivered to every subscriber.
    pub(crate) fn router() -> PublishOptions {
        PublishOptions::default()
    }

    /// The passthru options (`ppt_*`, `enc_*`), if the payload is in passthru mode.
    pub(crate) fn passthru(&self) -> Option<&Dict> {
        self.passthru.as_deref()
    }

    /// Whether a black- or whitelist names session ids, which mean nothing once those sessions
    /// are gone (the event history keeps no such event).
    pub(crate) fn names_sessions(&self) -> bool {
        self.lists
            .as_ref()
            .is_some_and(|l| !l.exclude.is_empty() || l.eligible.is_some())
    }

    /// Whether any black- or whitelist limits the receivers.
    pub(crate) fn has_lists(&self) -> bool {
        self.lists.is_some()
    }
}

/// The passthru options of `options`, copied.
pub(crate) fn passthru_options(options: &Dict) -> Dict {
    PASSTHRU_KEYS
        .iter()
        .filter_map(|k| options.get(*k).map(|v| ((*k).to_owned(), v.clone())))
        .collect()
}

impl<'a> Audience<'a> {
    /// The receivers a publication by `publisher` with `options` admits.
    pub(crate) fn new(publisher: SessionId, options: &'a PublishOptions) -> Audience<'a> {
        Audience {
            publisher,
            options,
            topic: None,
        }
    }

    /// The same audience, less the receivers whose role may not subscribe to `topic` itself.
    pub(crate) fn checking(self, topic: &'a str) -> Audience<'a> {
        Audience {
            topic: Some(topic),
            ..self
        }
    }

    /// Whether `member`, a subscriber of a matching subscription, receives the event.
    pub(crate) fn admits(&self, member: &Member) -> bool {
        if self.options.exclude_me && member.id() == self.publisher {
            return false;
        }
        if let Some(topic) = self.topic {
            let authorization = member.authorization();
            if !authorization.is_open() && !authorization.allows(Action::Subscribe, topic) {
                return false;
            }
        }
        match &self.options.lists {
            None => true,
            Some(lists) => lists.admit(member),
        }
    }
}

impl Lists {
    fn admit(&self, member: &Member) -> bool {
        let id = member.id().0;
        let identity = member.identity();
        let authid = identity.authid.as_str();
        let authrole = identity.authrole.as_str();
        let has = |list: &[String], s: &str| list.iter().any(|x| x == s);
        self.eligible
            .as_ref()
            .is_none_or(|l| l.binary_search(&id).is_ok())
            && self.eligible_authid.as_ref().is_none_or(|l| has(l, authid))
            && self
                .eligible_authrole
                .as_ref()
                .is_none_or(|l| has(l, authrole))
            && self.exclude.binary_search(&id).is_err()
            && !has(&self.exclude_authid, authid)
            && !has(&self.exclude_authrole, authrole)
    }
}

fn wrong_type(name: &str, expected: &str) -> RequestError {
    RequestError::InvalidArgument(format!("option '{name}' must be {expected}"))
}

fn bool_option(options: &Dict, name: &str) -> Result<Option<bool>, RequestError> {
    match options.get(name) {
        None => Ok(None),
        Some(Value::Bool(b)) => Ok(Some(*b)),
        Some(_) => Err(wrong_type(name, "a boolean")),
    }
}

/// A list of session ids, sorted for binary search.
fn id_list(options: &Dict, name: &str) -> Result<Option<Vec<u64>>, RequestError> {
    let Some(value) = options.get(name) else {
        return Ok(None);
    };
    let expected = || wrong_type(name, "a list of session ids");
    let list = value.as_list().ok_or_else(expected)?;
    let mut ids = list
        .iter()
        .map(|v| v.as_u64().ok_or_else(expected))
        .collect::<Result<Vec<u64>, RequestError>>()?;
    ids.sort_unstable();
    Ok(Some(ids))
}

fn string_list(options: &Dict, name: &str) -> Result<Option<Vec<String>>, RequestError> {
    let Some(value) = options.get(name) else {
        return Ok(None);
    };
    let expected = || wrong_type(name, "a list of strings");
    let list = value.as_list().ok_or_else(expected)?;
    list.iter()
        .map(|v| v.as_str().map(str::to_owned).ok_or_else(expected))
        .collect::<Result<Vec<String>, RequestError>>()
        .map(Some)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::identity::Identity;
    use crate::outbox::outbox;
    use crossway_protocol::Codec;

    fn member(id: u64, authid: &str, authrole: &str) -> Member {
        let identity = Identity {
            authid: authid.to_owned(),
            authrole: authrole.to_owned(),
            ..Identity::anonymous()
        };
        Member::new(
            SessionId(id),
            identity,
            crate::permissions::Authorization::Open,
            crate::features::ClientFeatures::default(),
            outbox(Codec::Json, 1).0,
            std::sync::Arc::default(),
        )
    }

    fn options(pairs: &[(&str, Value)]) -> Dict {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), v.clone()))
            .collect()
    }

    fn ids(list: &[i64]) -> Value {
        Value::List(list.iter().map(|i| Value::Int(*i)).collect())
    }

    fn strs(list: &[&str]) -> Value {
        Value::List(list.iter().map(|s| Value::from(*s)).collect())
    }

    #[test]
    fn defaults() {
        let o = PublishOptions::parse(&Dict::new()).unwrap();
        assert!(o.exclude_me);
        assert!(!o.disclose_me);
        assert!(!o.retain);
        assert!(o.passthru().is_none());
        assert!(o.lists.is_none());
        assert!(!wants_acknowledge(&Dict::new()));
        assert!(wants_acknowledge(&options(&[("acknowledge", true.into())])));
        assert!(wants_acknowledge(&options(&[(
            "acknowledge",
            "yes".into()
        )])));
    }

    #[test]
    fn wrong_types_are_invalid_arguments() {
        for (k, v) in [
            ("acknowledge", Value::from("yes")),
            ("exclude_me", Value::Int(0)),
            ("retain", Value::from("yes")),
            ("disclose_me", Value::from("true")),
            ("exclude", Value::Int(5)),
            ("eligible", strs(&["5"])),
            ("exclude", ids(&[-1])),
            ("eligible_authid", ids(&[1])),
            ("exclude_authrole", Value::from("admin")),
        ] {
            let err = PublishOptions::parse(&options(&[(k, v)])).unwrap_err();
            assert!(matches!(err, RequestError::InvalidArgument(_)), "{k}");
        }
    }

    #[test]
    fn black_and_white_lists() {
        let (alice, bob, carol) = (
            member(1, "alice", "user"),
            member(2, "bob", "admin"),
            member(3, "carol", "user"),
        );
        let admitted = |opts: &[(&str, Value)]| -> Vec<u64> {
            let o = PublishOptions::parse(&options(opts)).unwrap();
            let audience = Audience::new(SessionId(99), &o);
            [&alice, &bob, &carol]
                .iter()
                .filter(|m| audience.admits(m))
                .map(|m| m.id().0)
                .collect()
        };
        assert_eq!(admitted(&[]), vec![1, 2, 3]);
        assert_eq!(admitted(&[("exclude", ids(&[3, 1]))]), vec![2]);
        assert_eq!(admitted(&[("eligible", ids(&[3, 1]))]), vec![1, 3]);
        assert_eq!(
            admitted(&[("eligible", ids(&[1, 2, 3])), ("exclude", ids(&[1]))]),
            vec![2, 3]
        );
        assert_eq!(admitted(&[("eligible_authid", strs(&["bob"]))]), vec![2]);
        assert_eq!(admitted(&[("exclude_authid", strs(&["bob"]))]), vec![1, 3]);
        assert_eq!(
            admitted(&[("eligible_authrole", strs(&["user"]))]),
            vec![1, 3]
        );
        assert_eq!(admitted(&[("exclude_authrole", strs(&["user"]))]), vec![2]);
        assert_eq!(admitted(&[("eligible", ids(&[]))]), Vec::<u64>::new());
    }

    #[test]
    fn retain_and_passthru_options() {
        let o = PublishOptions::parse(&options(&[
            ("retain", true.into()),
            ("ppt_scheme", "wamp".into()),
            ("ppt_keyid", "k1".into()),
            ("acknowledge", true.into()),
        ]))
        .unwrap();
        assert!(o.retain);
        let passthru = o.passthru().unwrap();
        assert_eq!(passthru.len(), 2);
        assert_eq!(passthru["ppt_keyid"], Value::from("k1"));
        // `enc_*` without `enc_algo` (or an empty scheme) is no passthru payload.
        let o = PublishOptions::parse(&options(&[("enc_key", "k".into())])).unwrap();
        assert!(o.passthru().is_none());
        let o = PublishOptions::parse(&options(&[("exclude", ids(&[1]))])).unwrap();
        assert!(o.names_sessions() && o.has_lists());
        let o = PublishOptions::parse(&options(&[("exclude_authid", strs(&["a"]))])).unwrap();
        assert!(!o.names_sessions() && o.has_lists());
    }

    #[test]
    fn the_publisher_is_excluded_unless_it_asks() {
        let me = member(7, "me", "user");
        let o = PublishOptions::parse(&Dict::new()).unwrap();
        assert!(!Audience::new(SessionId(7), &o).admits(&me));
        let o = PublishOptions::parse(&options(&[("exclude_me", false.into())])).unwrap();
        assert!(Audience::new(SessionId(7), &o).admits(&me));
    }
}
