// One autobahn-js session for the interop suite, driven by a JSON scenario (argv[2], or stdin
// when there is no argument), reporting on stdout one JSON object per line.
//
// Scenario:
//   url          ws://host:port/path (WebSocket) or rs://host:port (RawSocket; JSON only, the
//                only serializer autobahn-js's RawSocket transport has)
//   serializer   json | msgpack | cbor (WebSocket); default json
//   realm        the realm to join
//   auth         optional: { methods: [...], authid, ticket, secret, authextra }; answered with
//                autobahn-js's own helpers (auth_cra.derive_key and auth_cra.sign for WAMP-CRA)
//   timeout      seconds each wait may take (joining, every step, leaving); default 5
//   steps        run in order once joined:
//                  { op: "subscribe", topic, options }       -> "subscribed"; then "event" lines
//                  { op: "publish", topic, args, kwargs, options }
//                                                            -> "published" if acknowledged
//                  { op: "events", count }                   waits until `count` events arrived
//                A router ERROR for a step is an "error_reply" line, and the steps go on.
//
// Lines: "hello" (versions), "challenge", "welcome" (session, authid, authrole, authmethod,
// authprovider) or "abort" (reason, message), the steps' lines, "left" (after GOODBYE), and
// "failure" (message) before a non-zero exit. Each line is JSON.stringify of what autobahn-js
// handed over, so the keys of args and kwargs appear in the order it holds them: as decoded from
// the wire, except that JavaScript puts integer-like keys ("1", "42") first, in ascending order.
//
// Exit status: 0 joined, ran every step and left; 2 the router refused the session (ABORT);
// 1 anything else (a timeout, a lost connection, a bad scenario, an exception).

import { readFileSync } from "node:fs";

// autobahn-js uses the platform's WebSocket when there is one (Node 22 and later) and the `ws`
// package otherwise; hiding it pins the client to the `ws` release in package-lock.json, so
// every Node version runs the same WebSocket code.
delete globalThis.WebSocket;
const { default: autobahn } = await import("autobahn");

const EXIT_REFUSED = 2;

function emit(type, fields = {}) {
  process.stdout.write(JSON.stringify({ type, ...fields }) + "\n");
}

// Exits once stdout has taken every line (autobahn-js may still hold timers and sockets).
function exit(code) {
  process.exitCode = code;
  process.stdout.write("", () => process.exit(code));
}

function fail(message) {
  emit("failure", { message: String(message) });
  exit(1);
}

// Resolves with `promise`, or rejects after the scenario's timeout, naming what was awaited.
function bounded(promise, what, seconds) {
  let timer;
  const expired = new Promise((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`timed out after ${seconds}s waiting for ${what}`)),
      seconds * 1000,
    );
  });
  return Promise.race([promise, expired]).finally(() => clearTimeout(timer));
}

function readScenario() {
  const text = process.argv.length > 2 ? process.argv[2] : readFileSync(0, "utf8");
  return JSON.parse(text);
}

const SERIALIZERS = {
  json: () => new autobahn.serializer.JSONSerializer(),
  msgpack: () => new autobahn.serializer.MsgpackSerializer(),
  cbor: () => new autobahn.serializer.CBORSerializer(),
};

function transportOf(scenario) {
  const serializer = scenario.serializer ?? "json";
  const url = new URL(scenario.url);
  if (url.protocol === "ws:") {
    if (!(serializer in SERIALIZERS)) throw new Error(`unknown serializer ${serializer}`);
    return { type: "websocket", url: scenario.url, serializers: [SERIALIZERS[serializer]()] };
  }
  if (url.protocol === "rs:") {
    if (serializer !== "json") throw new Error("autobahn-js speaks RawSocket with JSON only");
    return { type: "rawsocket", host: url.hostname, port: Number(url.port) };
  }
  throw new Error(`unsupported URL ${scenario.url}`);
}

// The CHALLENGE answer, computed as an autobahn-js application does.
function answer(auth, method, extra) {
  emit("challenge", { method, extra });
  if (method === "ticket" && auth.ticket !== undefined) return auth.ticket;
  if (method === "wampcra" && auth.secret !== undefined) {
    const key =
      extra.salt !== undefined
        ? autobahn.auth_cra.derive_key(auth.secret, extra.salt, extra.iterations, extra.keylen)
        : auth.secret;
    return autobahn.auth_cra.sign(key, extra.challenge);
  }
  // autobahn-js answers a throwing handler with ABORT wamp.error.cannot_authenticate.
  throw new Error(`no credentials for a ${method} challenge`);
}

// A router ERROR reaches the caller as an autobahn.Error; anything else is the harness's problem.
function errorReply(op, topic, error) {
  if (error instanceof autobahn.Error) {
    emit("error_reply", { op, topic, error: error.error, args: error.args, kwargs: error.kwargs });
    return;
  }
  throw error;
}

async function runSteps(session, steps, seconds) {
  const events = [];
  let eventArrived = () => {};
  for (const step of steps) {
    switch (step.op) {
      case "subscribe": {
        const onEvent = (args, kwargs, details) => {
          emit("event", {
            topic: step.topic,
            args,
            kwargs,
            details: {
              publication: details.publication,
              topic: details.topic,
              publisher: details.publisher,
              publisher_authid: details.publisher_authid,
              publisher_authrole: details.publisher_authrole,
            },
          });
          events.push(details.publication);
          eventArrived();
        };
        try {
          const sub = await bounded(
            session.subscribe(step.topic, onEvent, step.options),
            `SUBSCRIBED to ${step.topic}`,
            seconds,
          );
          emit("subscribed", { topic: step.topic, subscription: sub.id });
        } catch (e) {
          errorReply("subscribe", step.topic, e);
        }
        break;
      }
      case "publish": {
        const options = step.options ?? {};
        const sent = session.publish(step.topic, step.args, step.kwargs, options);
        if (!options.acknowledge) break;
        try {
          const publication = await bounded(sent, `PUBLISHED for ${step.topic}`, seconds);
          emit("published", { topic: step.topic, publication: publication.id });
        } catch (e) {
          errorReply("publish", step.topic, e);
        }
        break;
      }
      case "events": {
        const enough = new Promise((resolve) => {
          eventArrived = () => events.length >= step.count && resolve();
          eventArrived();
        });
        await bounded(enough, `${step.count} event(s) in all`, seconds);
        eventArrived = () => {};
        break;
      }
      default:
        throw new Error(`unknown step ${JSON.stringify(step)}`);
    }
  }
}

async function main() {
  const scenario = readScenario();
  const seconds = scenario.timeout ?? 5;
  const auth = scenario.auth ?? {};
  emit("hello", { autobahn: autobahn.version, node: process.versions.node });

  const connection = new autobahn.Connection({
    transports: [transportOf(scenario)],
    realm: scenario.realm,
    authmethods: auth.methods,
    authid: auth.authid,
    authextra: auth.authextra,
    onchallenge: (session, method, extra) => answer(auth, method, extra),
    // One attempt: the test decides what a refused or failed connection means.
    max_retries: 0,
    retry_if_unreachable: false,
    use_es6_promises: true,
    on_user_error: (error, message) => fail(`${message ?? ""} ${error?.stack ?? error}`),
    on_internal_error: (error, message) => fail(`${message ?? ""} ${error?.stack ?? error}`),
  });

  // How the session starts (WELCOME, or the connection closing first, after ABORT or not) and
  // how it ends.
  const opened = new Promise((resolve) => {
    connection.onopen = (session, details) => resolve({ session, details });
  });
  const closed = new Promise((resolve) => {
    connection.onclose = (reason, details) => {
      resolve({ reason, details });
      // Nothing to retry: tell autobahn-js not to.
      return true;
    };
  });
  connection.open();

  const start = await bounded(
    Promise.race([opened, closed.then((end) => ({ end }))]),
    "WELCOME or ABORT",
    seconds,
  );
  if (start.end !== undefined) {
    const { reason, details } = start.end;
    if (details.reason) {
      emit("abort", { reason: details.reason, message: details.message });
      return exit(EXIT_REFUSED);
    }
    return fail(`the connection closed before WELCOME (${reason})`);
  }
  const { session, details } = start;
  emit("welcome", {
    session: session.id,
    authid: details.authid,
    authrole: details.authrole,
    authmethod: details.authmethod,
    authprovider: details.authprovider,
    transport: details.transport?.protocol,
  });

  let stepsRunning = true;
  const lost = closed.then(({ reason, details }) => {
    if (stepsRunning) {
      throw new Error(`the connection closed during the steps: ${reason} (${details.reason})`);
    }
  });
  const steps = runSteps(session, scenario.steps ?? [], seconds);
  // Whichever loses the race below must not end the process as an unhandled rejection.
  steps.catch(() => {});
  lost.catch(() => {});
  await Promise.race([steps, lost]);
  stepsRunning = false;

  connection.close();
  const end = await bounded(closed, "the GOODBYE reply and the end of the connection", seconds);
  emit("left", { reason: end.details.reason, how: end.reason });
  return exit(0);
}

main().catch((e) => fail(e?.stack ?? e));
