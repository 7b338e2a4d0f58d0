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


prefix = os.environ.get('FANOUT', 'fanout3' if os.path.exists(os.path.join(root, 'fanout3-vapora.json')) else 'fanout')
print(f'### 1. Fan-out: 10,000 connections, 100 workflows × 100 watchers ({prefix}-*.json)\n')
print('| target | highest rate passed (updates/s) | delivered msgs/s there | p50 / p99 / p99.9 ms there | server CPU cores | stopped because |')
print('|---|---:|---:|---|---:|---|')
best = {}
for t in TARGETS:
    d = sweep(prefix, t)
    if not d:
        continue
    passed = [s for s in d['steps'] if s['median']['p99_ms'] <= d['max_p99_ms'] and s['median']['lost'] == 0]
    if passed:
        s = passed[-1]
        m = s['median']
        best[t] = m['delivered_per_second']
        print(f"| {t} | {s['rate']} | {f(m['delivered_per_second'], 0)} | {f(m['p50_ms'], 2)} / {f(m['p99_ms'], 2)} / {f(m['p99_9_ms'], 2)} | {f(m['server_cpu_cores'], 2)} | {d['stopped_because']} |")
    else:
        print(f"| {t} | none | — | — | — | {d['stopped_because']} |")
if 'vapora' in best:
    for t in ('signalr', 'ceiling'):
        if t in best:
            print(f"\nVapora / {t}: {best['vapora'] / best[t]:.2f}×", end='')
    print('\n')
print('Every step of every sweep:\n')
print('| target | rate | delivered msgs/s | p50 ms | p99 ms | p99.9 ms | max ms | lost / dup / reordered | server CPU | harness CPU |')
print('|---|---:|---:|---:|---:|---:|---:|---|---:|---:|')
for t in TARGETS:
    d = sweep(prefix, t)
    for s in (d or {}).get('steps', []):
        m = s['median']
        print(f"| {t} | {s['rate']} | {f(m['delivered_per_second'], 0)} | {f(m['p50_ms'], 2)} | {f(m['p99_ms'], 2)} | {f(m['p99_9_ms'], 2)} | {f(m['max_ms'], 1)} | {loss(m)} | {f(m['server_cpu_cores'], 2)} | {f(m['harness_cpu_cores'], 2)} |")


def run_table(title, names):
    print(f'\n### {title}\n')
    print('| run | runs | delivered msgs/s | p50 ms | p99 ms | p99.9 ms | max ms | lost / dup / reordered | server CPU cores |')
    print('|---|---:|---:|---:|---:|---:|---:|---|---:|')
    for label, name in names:
        d = load(name)
        if not d:
            continue
        m = d['median']
        print(f"| {label} | {runs(d)} | {f(m['delivered_per_second'], 0)} | {f(m['p50_ms'], 2)} | {f(m['p99_ms'], 2)} | {f(m['p99_9_ms'], 2)} | {f(m['max_ms'], 1)} | {loss(m)} | {f(m['server_cpu_cores'], 2)} |")


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
