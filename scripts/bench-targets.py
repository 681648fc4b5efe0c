#!/usr/bin/env python3
"""The table of `scripts/bench-compare --targets`: medians over the rounds of every router and
case, and each target of the README met or not, with its figures.

    scripts/bench-targets.py DIR     DIR: the JSON files the rounds wrote (ROUTER--CASE--rN.json,
                                     ROUTER--idle-KIND.json) and loadavg
"""

import json
import os
import statistics
import sys


def median(values):
    values = [v for v in values if v is not None]
    return statistics.median(values) if values else None


def load(d):
    """{(router, case): [first run of each round]} and {(router, kind): idle report}."""
    runs, idle = {}, {}
    for f in sorted(os.listdir(d)):
        if not f.endswith(".json"):
            continue
        parts = f[:-5].split("--")
        with open(os.path.join(d, f)) as fh:
            data = json.load(fh)
        if len(parts) == 2 and parts[1].startswith("idle-"):
            idle[(parts[0], parts[1][5:])] = data
        elif len(parts) == 3:
            for r in data.get("runs", []):
                runs.setdefault((parts[0], parts[1]), []).append(r)
    return runs, idle


def fmt(x, digits=0):
    return "-" if x is None else f"{x:,.{digits}f}"


def main():
    d = sys.argv[1]
    runs, idle = load(d)
    if os.path.exists(os.path.join(d, "loadavg")):
        with open(os.path.join(d, "loadavg")) as fh:
            print("load average at the start of each round: "
                  + "; ".join(line.strip() for line in fh if line.strip()))

    def m(router, case, key, sub=None):
        rs = runs.get((router, case), [])
        if sub:
            return median([(r.get(key) or {}).get(sub) for r in rs])
        return median([r.get(key) for r in rs])

    def count(router, case):
        return len(runs.get((router, case), []))

    def losses(router, case):
        return sum(max(int(r.get("lost") or 0), 0) + int(r.get("duplicates") or 0)
                   + int(r.get("errors") or 0) for r in runs.get((router, case), []))

    def busy(router, case, key):
        """The median share of one core that `key` took during the runs."""
        share = median([r[key] / r["seconds"] for r in runs.get((router, case), [])
                        if r.get(key) is not None and r.get("seconds")])
        return "-" if share is None else f"{100 * share:.0f}%"

    print()
    print("router, other: the share of one core the router took, and what everything else on the")
    print("machine took (other work, compilers), medians over the rounds")
    head = f"{'case':<14}{'router':<11}{'per s':>12}{'µs CPU/each':>12}{'p50 µs':>12}{'p99 µs':>12}{'lost':>6}{'runs':>5}{'router':>8}{'other':>7}"
    print(head)
    for (router, case) in sorted(runs, key=lambda k: (k[1], k[0])):
        rpc = case.startswith("rpc")
        rate = m(router, case, "calls_per_s" if rpc else "deliveries_per_s")
        cpu = m(router, case, "router_cpu_us_per_call" if rpc else "router_cpu_us_per_delivery")
        print(f"{case:<14}{router:<11}{fmt(rate):>12}{fmt(cpu, 3):>12}"
              f"{fmt(m(router, case, 'latency_us', 'p50'), 1):>12}"
              f"{fmt(m(router, case, 'latency_us', 'p99'), 1):>12}"
              f"{losses(router, case):>6}{count(router, case):>5}"
              f"{busy(router, case, 'router_cpu_s'):>8}{busy(router, case, 'other_cpu_s'):>7}")
    for (router, kind), r in sorted(idle.items()):
        print(f"idle {kind:<9}{router:<11}{r['held']} of {r['wanted']} sessions held; "
              f"{fmt(r.get('router_bytes_per_session'))} bytes per idle session"
              + (f"; first failure: {r['first_error']}" if r.get("first_error") else ""))

    # The targets.
    print()
    rows = []

    def target(name, met, figures):
        if met is None:
            rows.append((name, "not measured", figures))
        else:
            rows.append((name, "met" if met else "NOT MET", figures))

    cw = m("crossway", "1x10", "deliveries_per_s")
    nats = m("nats", "1x10", "deliveries_per_s")
    cw_cpu = m("crossway", "1x10", "router_cpu_us_per_delivery")
    nats_cpu = m("nats", "1x10", "router_cpu_us_per_delivery")
    have = None not in (cw, nats)
    target("1->10 deliveries/s >= NATS", have and cw >= nats,
           f"{fmt(cw)} vs {fmt(nats)} ({cw / nats:.2f}x)" if have else "")
    have = None not in (cw_cpu, nats_cpu)
    target("1->10 router CPU/delivery <= NATS", have and cw_cpu <= nats_cpu,
           f"{fmt(cw_cpu, 3)} vs {fmt(nats_cpu, 3)} µs" if have else "")
    one = m("crossway", "1x1", "deliveries_per_s")
    target("1->1 >= 1.5M events/s", None if one is None else one >= 1.5e6, f"{fmt(one)}")
    ws = m("crossway", "ws-1x10", "deliveries_per_s")
    have = None not in (ws, cw)
    target("WebSocket 1->10 >= 80% of RawSocket", have and ws >= 0.8 * cw,
           f"{fmt(ws)} = {100 * ws / cw:.0f}% of {fmt(cw)}" if have else "")
    p50 = m("crossway", "latency-1x10", "latency_us", "p50")
    np50 = m("nats", "latency-1x10", "latency_us", "p50")
    have = None not in (p50, np50)
    target("p50 at 20k deliveries/s <= NATS", have and p50 <= np50,
           f"{fmt(p50, 1)} vs {fmt(np50, 1)} µs" if have else "")
    big = m("crossway", "4k-1x10", "deliveries_per_s")
    target("4 KiB 1->10 >= 3 x 278k", None if big is None else big >= 3 * 278_000,
           f"{fmt(big)} ({big / 278_000:.2f}x)" if big else "")
    for kind, limit in (("rs", 3072), ("ws", 4096), ("wss", None)):
        per = (idle.get(("crossway", kind)) or {}).get("router_bytes_per_session")
        if limit is None:
            rows.append((f"idle {kind} session (reported)", "measured" if per else "not measured",
                         f"{fmt(per)} B"))
        else:
            target(f"idle {kind} session <= {limit // 1024} KiB",
                   None if per is None else per <= limit, f"{fmt(per)} B")
    for callers in (1, 10):
        case = f"rpc-{callers}x1"
        c = m("crossway", case, "calls_per_s")
        b = m("crossbar", case, "calls_per_s")
        lost = losses("crossway", case)
        have = None not in (c, b)
        target(f"RPC {callers}->1 >= 20 x Crossbar.io, no call lost",
               have and c >= 20 * b and lost == 0,
               f"{fmt(c)} vs {fmt(b)} calls/s ({c / b:.1f}x); p50 "
               f"{fmt(m('crossway', case, 'latency_us', 'p50'), 1)} vs "
               f"{fmt(m('crossbar', case, 'latency_us', 'p50'), 1)} µs; lost {lost}"
               if have else "")
    width = max(len(r[0]) for r in rows)
    for name, verdict, figures in rows:
        print(f"{name:<{width}}  {verdict:<12}  {figures}")


if __name__ == "__main__":
    main()
