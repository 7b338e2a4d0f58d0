#!/usr/bin/env python3
"""GC figures of each gateway process that bench/gc-watch.sh watched, over the run's load window.

usage: bench/gc-pauses.py <outdir> [...]
The window is the last 20 full seconds before the run stopped the process (bench run --duration 20). Pauses are
dotnet-counters' `dotnet.gc.pause.time` per 1 s interval, listed for the seconds in which a gen1 collection ran (a gen0
pause in the same second is included): the closest to a pause list that the runtime's counters give.
"""
import csv
import glob
import os
import sys

GEN = 'dotnet.gc.collections ({collection} / 1 sec)[gc.heap.generation=%s]'
PAUSE = 'dotnet.gc.pause.time (s / 1 sec)'
GEN2_SIZE = 'dotnet.gc.last_collection.heap.size (By)[gc.heap.generation=gen2]'
WORKING_SET = 'dotnet.process.memory.working_set (By)'

for directory in sys.argv[1:]:
    for path in sorted(glob.glob(os.path.join(directory, 'gateway-*.csv'))):
        seconds = {}
        for row in csv.DictReader(open(path)):
            seconds.setdefault(row['Timestamp'], {})[row['Counter Name']] = float(row['Mean/Increment'] or 0)
        rates = [s for s in seconds.values() if PAUSE in s]
        window = rates[-21:-1]
        count = {g: round(sum(s.get(GEN % g, 0) for s in window)) for g in ('gen0', 'gen1', 'gen2')}
        gen1_pauses = [round(s[PAUSE] * 1000) for s in window if s.get(GEN % 'gen1', 0) >= 1]
        print(f"{path}: window {len(window)} s; collections gen0 {count['gen0']}, gen1 {count['gen1']}, gen2 {count['gen2']}; "
              f"pause {sum(s[PAUSE] for s in window) * 1000:.0f} ms in all; seconds with a gen1, pause ms {gen1_pauses}; "
              f"gen2 at most {max((s.get(GEN2_SIZE, 0) for s in seconds.values()), default=0) / 2**20:.0f} MiB; "
              f"working set max {max((s.get(WORKING_SET, 0) for s in seconds.values()), default=0) / 2**20:.0f} MiB")
