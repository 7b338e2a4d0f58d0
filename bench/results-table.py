#!/usr/bin/env python3
"""Prints the markdown result tables of docs/benchmarks.md from the JSON files bench/run-scenarios.sh wrote.
   python3 bench/results-table.py [bench/results]"""
import json
import os
import sys

root = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), 'results')
TARGETS = ['vapora', 'signalr', 'ceiling']


def load(name):
    path = os.path.join(root, name + '.json')
    return json.load(open(path)) if os.path.exists(path) else None


def f(value, digits=1):
    return '—' if value is None else f'{value:,.{digits}f}'


def loss(m):
    return f"{m['lost']} / {m['duplicated']} / {m['reordered']}"


def sweep(prefix, t):
    """A sweep, with the steps of a follow-up sweep at higher rates (<prefix>-<target>-high.json) appended."""
    d = load(f'{prefix}-{t}')
    more = load(f'{prefix}-{t}-high')
    if d and more:
        d['steps'] += more['steps']
        d['stopped_because'] = more['stopped_because']
    return d


def runs(d):
    return len(d['runs'])


def outside(m):
    """CPU cores busy outside the run (other processes on the machine) while it was measured; — for older results."""
    if 'machine_cpu_cores' not in m:
        return '—'
    helpers = m.get('helper_cpu_cores') or {}
    own = m['server_cpu_cores'] + m.get('harness_cpu_cores', 0) + (sum(helpers.values()) if isinstance(helpers, dict) else helpers)
    return f(max(0.0, m['machine_cpu_cores'] - own), 2)


def load_at(d):
    """The 1-minute load average when the run started (figures taken on a busy machine say so)."""
    machine = d.get('invocation', {}).get('machine', {})
    return machine['load_average'].split(' ')[0] if 'load_average' in machine else '—'



prefix = os.environ.get('FANOUT', 'fanout3' if os.path.exists(os.path.join(root, 'fanout3-vapora.json')) else 'fanout')
print(f'### 1. Fan-out: 10,000 connections, 100 workflows × 100 watchers ({prefix}-*.json)\n')
print('| target | highest rate passed (updates/s) | delivered msgs/s there | p50 / p99 / p99.9 ms there | server CPU cores | stopped because | load at start |')
print('|---|---:|---:|---|---:|---|---:|')
FANOUT_ROWS = TARGETS + ['vapora-sse']  # vapora-sse: Vapora's clients on Server-Sent Events instead of WebSockets
best = {}
for t in FANOUT_ROWS:
    d = sweep(prefix, t)
    if not d:
        continue
    passed = [s for s in d['steps'] if s['median']['p99_ms'] <= d['max_p99_ms'] and s['median']['lost'] == 0]
    if passed:
        s = passed[-1]
        m = s['median']
        best[t] = m['delivered_per_second']
        print(f"| {t} | {s['rate']} | {f(m['delivered_per_second'], 0)} | {f(m['p50_ms'], 2)} / {f(m['p99_ms'], 2)} / {f(m['p99_9_ms'], 2)} | {f(m['server_cpu_cores'], 2)} | {d['stopped_because']} | {load_at(d)} |")
    else:
        print(f"| {t} | none | — | — | — | {d['stopped_because']} | {load_at(d)} |")
if 'vapora' in best:
    for t in ('signalr', 'ceiling'):
        if t in best:
            print(f"\nVapora / {t}: {best['vapora'] / best[t]:.2f}×", end='')
    print('\n')
print('Every step of every sweep:\n')
print('| target | rate | delivered msgs/s | p50 ms | p99 ms | p99.9 ms | max ms | lost / dup / reordered | server CPU | harness CPU | CPU of other processes |')
print('|---|---:|---:|---:|---:|---:|---:|---|---:|---:|---:|')
for t in FANOUT_ROWS:
    d = sweep(prefix, t)
    for s in (d or {}).get('steps', []):
        m = s['median']
        print(f"| {t} | {s['rate']} | {f(m['delivered_per_second'], 0)} | {f(m['p50_ms'], 2)} | {f(m['p99_ms'], 2)} | {f(m['p99_9_ms'], 2)} | {f(m['max_ms'], 1)} | {loss(m)} | {f(m['server_cpu_cores'], 2)} | {f(m['harness_cpu_cores'], 2)} | {outside(m)} |")


def run_table(title, names, split=False):
    """A table of runs; split: with the harness's processes, its GC pauses and the load (issue 18's runs)."""
    print(f'\n### {title}\n')
    extra = ' harness processes |' if split else ''
    print(f'| run | runs |{extra} delivered msgs/s | p50 ms | p99 ms | p99.9 ms | max ms | lost / dup / reordered | server CPU cores |' + (' harness GC pauses ms | CPU of other processes | load at start |' if split else ''))
    print('|---|---:|' + ('---:|' if split else '') + '---:|---:|---:|---:|---:|---|---:|' + ('---:|---:|---:|' if split else ''))
    for label, name in names:
        d = load(name)
        if not d:
            continue
        m = d['median']
        row = f"| {label} | {runs(d)} |" + (f" {m.get('harness_processes', 1)} |" if split else '')
        row += f" {f(m['delivered_per_second'], 0)} | {f(m['p50_ms'], 2)} | {f(m['p99_ms'], 2)} | {f(m['p99_9_ms'], 2)} | {f(m['max_ms'], 1)} | {loss(m)} | {f(m['server_cpu_cores'], 2)} |"
        print(row + (f" {f(m['harness_gc_pause_ms'], 0)} | {outside(m)} | {load_at(d)} |" if split else ''))


old, new = load(f'{prefix}-vapora-2026-11-29'), sweep(prefix, 'vapora')
if old and new:
    print(f"\n### 1 again: Vapora on 2026-11-29 ({prefix}-vapora-2026-11-29.json, load {load_at(old)}) and now ({prefix}-vapora.json, load {load_at(new)})\n")
    print('| rate | delivered msgs/s then / now | p50 ms then / now | p99 ms then / now | p99.9 ms then / now | server CPU then / now |')
    print('|---:|---|---|---|---|---|')
    before = {s['rate']: s['median'] for s in old['steps']}
    for step in new['steps']:
        m, o = step['median'], before.get(step['rate'])
        if o:
            print(f"| {step['rate']} | {f(o['delivered_per_second'], 0)} / {f(m['delivered_per_second'], 0)} | {f(o['p50_ms'], 2)} / {f(m['p50_ms'], 2)} | {f(o['p99_ms'], 2)} / {f(m['p99_ms'], 2)} | {f(o['p99_9_ms'], 2)} / {f(m['p99_9_ms'], 2)} | {f(o['server_cpu_cores'], 2)} / {f(m['server_cpu_cores'], 2)} |")

run_table('2. Latency: 1,000 clients, 100 updates/s', [
    ('vapora, PATCH through REST (store + publish + gateway)', 'latency-vapora-rest'),
    ('vapora, PUBLISH into Redis', 'latency-vapora'),
    ('signalr, IHubContext through the backplane', 'latency-signalr'),
    ('ceiling, control socket', 'latency-ceiling')])

print('\n### 3. Memory: 10,000 idle connections\n')
print('| target | runs | RSS before clients MiB | RSS with 10,000 MiB | RSS per connection KiB | idle server CPU cores |')
print('|---|---:|---:|---:|---:|---:|')
memory = {}
for t in TARGETS:
    d = load(f'memory-{t}')
    if not d:
        continue
    m = d['median']
    memory[t] = m['rss_per_connection_kib']
    print(f"| {t} | {runs(d)} | {f(m['rss_baseline_mib'])} | {f(m['rss_connected_mib'])} | {f(m['rss_per_connection_kib'])} | {f(m['idle_server_cpu_cores'], 3)} |")
if 'vapora' in memory and 'signalr' in memory:
    print(f"\nVapora / signalr per connection: {memory['vapora'] / memory['signalr']:.2f}×")

run_table('4. Breadth: 10,000 clients each on its own workflow, one update each per second (10,000 updates/s)', [
    (t, f'breadth-{t}') for t in TARGETS])
run_table('Redis Cluster (3 nodes): classic vs sharded pub/sub, 1,000 clients, 100 workflows, 2,000 updates/s into Redis', [
    ('classic PUBLISH/SUBSCRIBE', 'cluster-classic'), ('sharded SPUBLISH/SSUBSCRIBE', 'cluster-sharded')])
for mode in ('classic', 'sharded'):
    d = load(f'cluster-{mode}')
    if d:
        # Node ports differ between runs, so the per-node median is meaningless: sum per run, then the median.
        sums = sorted(sum(v for k, v in r['helper_cpu_cores'].items() if k.startswith('redis')) for r in d['runs'])
        print(f"\n{mode}: the three Redis nodes together used {sums[len(sums) // 2]:.3f} cores (median of runs)", end='')
print()
run_table('Slow consumers: 1,000 clients, 10 workflows, 400 updates/s; 10 clients (one per workflow) stop reading', [
    ('no stalled client', 'stalled-0'), ('10 stalled clients (figures of the other 990)', 'stalled-10')])


# ---- issue 18: memory with both GCs, reconnect storm, breadth with a split harness, growth, churn, peers per rate ----

def mem_row(label, name):
    d = load(name)
    if not d:
        return
    m = d['median']
    print(f"| {label} | {runs(d)} | {f(m['rss_baseline_mib'])} | {f(m['rss_connected_mib'])} | {f(m['rss_per_connection_kib'])} | {f(m['idle_server_cpu_cores'], 3)} | {load_at(d)} |")


print('\n### 3b. Memory per idle connection: the GC Vapora ships (workstation) and ASP.NET Core\'s default (server)\n')
print('| target, GC | runs | RSS before clients MiB | RSS with 10,000 MiB | RSS per connection KiB | idle server CPU cores | load (1 min) at start |')
print('|---|---:|---:|---:|---:|---:|---:|')
mem_row('vapora before issue 18, workstation (shipped)', 'memory-vapora-issue13')
for t in TARGETS:
    mem_row(f'{t}, workstation' + (' (shipped)' if t == 'vapora' else ''), f'memory-{t}')
    mem_row(f'{t}, server' + (' (ASP.NET Core default)' if t != 'vapora' else ''), f'memory-{t}-server-gc')
mem_row('vapora, Server-Sent Events streams instead of WebSockets, workstation (shipped)', 'memory-vapora-sse')

print('\n### Reconnect storm: 2 gateways behind nginx, 10,000 clients over 100 workflows, 200 updates/s through REST, kill -9 the gateway holding half\n')
print('| coalesced catch-up | runs | orphans | kill → live again p50 / p99 / max ms | API history requests in the storm | survivor reads / shared / refused | survivors p50 / p99 / max ms | lost / dup / reordered / gave up | survivor CPU | load at start |')
print('|---|---:|---:|---|---:|---|---|---|---:|---:|')
for mode in ('on', 'off'):
    d = load(f'storm-coalesce-{mode}')
    if not d:
        continue
    m = d['median']
    print(f"| {mode} | {runs(d)} | {m['orphans']:,} | {f(m['live_again_p50_ms'], 0)} / {f(m['live_again_p99_ms'], 0)} / {f(m['live_again_max_ms'], 0)} | {f(m['api_history_requests'], 0)} | {f(m['survivor_history_reads'], 0)} / {f(m['survivor_coalesced'], 0)} / {f(m['survivor_refused'], 0)} | {f(m['survivors_p50_ms'], 2)} / {f(m['survivors_p99_ms'], 2)} / {f(m['survivors_max_ms'], 1)} | {m['lost']} / {m['duplicated']} / {m['reordered']} / {m['disconnected']} | {f(m['survivor_cpu_cores'], 2)} | {load_at(d)} |")


print('\n### Token expiry: reconnect at expiry vs in-band refresh (tokens-*.json; updates through REST)\n')
print('| renewal | runs | clients | token lifetime s | measured s (lifetimes) | reconnects | per client per lifetime | derived: reconnects/hour, 5-min tokens | closes 4401 / other | token_expiring received | refreshes sent / accepted / refused | gateway: accepted / resumes | delivered msgs/s | lost / dup / reordered / gave up | gateway CPU | load at start |')
print('|---|---:|---:|---:|---|---:|---:|---:|---|---:|---|---|---:|---|---:|---:|')
for mode in ('reconnect', 'inband', 'inband-2'):
    d = load(f'tokens-{mode}')
    if not d:
        continue
    m = d['median']
    print(f"| {mode} | {runs(d)} | {m['clients']:,} | {f(d['options']['lifetime_seconds'], 0)} | {f(m['window_seconds'], 0)} ({f(m['lifetimes'], 1)}) | {m['reconnects']:,} | {f(m['reconnects_per_client_per_lifetime'], 3)} | {f(m['derived_reconnects_per_hour'], 0)} | {m['expiry_closes']:,} / {m['other_closes']:,} | {m['expiring_notices']:,} | {m['refreshes_sent']:,} / {m['refreshes_accepted']:,} / {m['refreshes_refused']:,} | {f(m['gateway_refreshes_accepted'], 0)} / {f(m['gateway_resumes'], 0)} | {f(m['delivered_per_second'], 0)} | {m['lost']} / {m['duplicated']} / {m['reordered']} / {m['disconnected']} | {f(m['server_cpu_cores'], 2)} | {load_at(d)} |")


run_table('4b. Breadth with the clients over two worker processes (10,000 workflows × 1 watcher, 10,000 updates/s)', [
    ('vapora, PUBLISH into Redis', 'breadth-split-vapora'), ('vapora, PATCH through REST', 'breadth-split-vapora-rest'),
    ('signalr', 'breadth-split-signalr'), ('ceiling', 'breadth-split-ceiling')], split=True)

d = load('growth-vapora')
if d:
    print(f"\n### Growth: {d['deliveries_per_second']:,} delivered msgs/s at each size, {d['options']['workflows']} workflows (growth-vapora.json, chart growth-vapora.png)\n")
    print('| sockets | updates/s | delivered msgs/s | server CPU cores | CPU µs per delivered message | RSS per connection KiB | p99 ms | lost / dup / reordered | load at start |')
    print('|---:|---:|---:|---:|---:|---:|---:|---|---:|')
    for s in d['steps']:
        m = s['median']
        print(f"| {s['clients']:,} | {s['rate']} | {f(m['delivered_per_second'], 0)} | {f(m['server_cpu_cores'], 2)} | {f(s['cpu_microseconds_per_message'], 1)} | {f(m['rss_per_connection_kib'])} | {f(m['p99_ms'], 2)} | {loss(m)} | {load_at(d)} |")

print('\n### Churn: 1,000 subscribe + unsubscribe per second on /ws while 10,000 clients watch 100 workflows (100 updates/s)\n')
print('| churn | runs | pairs/s done | Redis SUBSCRIBE/s | Redis UNSUBSCRIBE/s | watchers p50 / p99 / p99.9 ms | lost / dup / reordered | server CPU | CPU of other processes | load at start |')
print('|---|---:|---:|---:|---:|---|---|---:|---:|---:|')
for label, name in (('none (baseline)', 'churn-none'), ('over the 100 watched workflows', 'churn-watched'), ('over 10,000 workflows nobody else watches', 'churn-cold')):
    d = load(name)
    if not d:
        continue
    m = d['median']
    print(f"| {label} | {runs(d)} | {f(m.get('churn_per_second', 0), 0)} | {f(m.get('redis_subscribes_per_second', 0), 1)} | {f(m.get('redis_unsubscribes_per_second', 0), 1)} | {f(m['p50_ms'], 2)} / {f(m['p99_ms'], 2)} / {f(m['p99_9_ms'], 2)} | {loss(m)} | {f(m['server_cpu_cores'], 2)} | {outside(m)} | {load_at(d)} |")

print('\n### Fair peers: p99 at every rate, 10,000 connections, 100 workflows (clients over two worker processes)\n')
print('| target, GC | rate/s | delivered msgs/s | p50 ms | p99 ms | p99.9 ms | max ms | lost / dup / reordered | server CPU | CPU of other processes | runs |')
print('|---|---:|---:|---:|---:|---:|---:|---|---:|---:|---:|')
for label, name in (('vapora, workstation (shipped)', 'peers-vapora'), ('signalr, server (ASP.NET Core default)', 'peers-signalr-server'),
                    ('signalr, workstation', 'peers-signalr-workstation'), ('ceiling, server (ASP.NET Core default)', 'peers-ceiling-server'),
                    ('ceiling, workstation', 'peers-ceiling-workstation')):
    d = load(name)
    for s in (d or {}).get('steps', []):
        m = s['median']
        print(f"| {label} | {s['rate']} | {f(m['delivered_per_second'], 0)} | {f(m['p50_ms'], 2)} | {f(m['p99_ms'], 2)} | {f(m['p99_9_ms'], 2)} | {f(m['max_ms'], 1)} | {loss(m)} | {f(m['server_cpu_cores'], 2)} | {outside(m)} | {len(s['runs'])} |")
    if d:
        print(f"| {label}: stopped | | | | | | | {d['stopped_because']} | | | |")
