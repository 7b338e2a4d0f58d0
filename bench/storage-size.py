#!/usr/bin/env python3
"""Bytes per stored update in the API's SQLite and in-memory stores, measured on a real workflow-api process.

Starts redis-server and the Release build of the API (build the solution first), creates WORKFLOWS workflows of
UPDATES progress updates each through the REST API, and measures what they cost:
  sqlite: the pages in use in the database file (WAL checkpointed into it) before and after;
  memory: the live managed heap after a full GC (dotnet-gcdump forces one), before and after.
Then compacts them the way retention does (each workflow completed, Retention__CompactAfter short) and measures what
is left. The figure includes everything an update costs: the log entry, its share of the summary and the indexes.

  python3 bench/storage-size.py [--workflows 100] [--updates 100] [--gcdump PATH]

dotnet-gcdump: `dotnet tool install --tool-path /tmp/tools dotnet-gcdump` (memory only; without it memory is skipped).
"""
import argparse, json, os, re, shutil, socket, sqlite3, subprocess, sys, tempfile, threading, time, urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
API_DLL = os.path.join(ROOT, "services/workflow-api/bin/Release/net10.0/Vapora.WorkflowApi.dll")
MESSAGE = "Building images for linux-amd64"  # a typical progress message (31 characters)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def request(base, method, path, body=None):
    data = None if body is None else json.dumps(body).encode()
    req = urllib.request.Request(base + path, data=data, method=method, headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=30) as r:
        return json.loads(r.read() or b"null")


def wait_until(check, what, timeout=120):
    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            if check():
                return
        except Exception:
            pass
        time.sleep(0.2)
    sys.exit(f"timed out waiting for {what}")


def start_api(provider, redis_port, directory, compact):
    port = free_port()
    env = dict(os.environ, ASPNETCORE_ENVIRONMENT="Production", Auth__Mode="none", DOTNET_gcServer="0",
               ConnectionStrings__redis=f"127.0.0.1:{redis_port}", Storage__Provider=provider,
               ConnectionStrings__sqlite=f"Data Source={os.path.join(directory, 'vapora.db')}",
               RateLimits__WritesPerSecond="100000", RateLimits__WriteBurst="100000",
               Retention__CompactAfter="00:00:01" if compact else "7.00:00:00",
               Retention__IdempotencyKeyLifetime="00:00:00.500" if compact else "1.00:00:00",
               Retention__SweepInterval="00:00:00.500", Retention__SweepBatchSize="1000")
    log = open(os.path.join(directory, f"api-{provider}.log"), "w")
    process = subprocess.Popen(["dotnet", API_DLL, "--urls", f"http://127.0.0.1:{port}"], env=env, stdout=log, stderr=subprocess.STDOUT,
                               cwd=os.path.dirname(API_DLL))
    base = f"http://127.0.0.1:{port}"
    wait_until(lambda: urllib.request.urlopen(base + "/health/live", timeout=2).status == 200, "the API to start")
    return process, base


def write(base, workflows, updates, finish):
    ids = [request(base, "POST", "/api/workflows", {"name": f"build {w}", "total_steps": updates})["workflow_id"] for w in range(workflows)]
    errors = []

    def worker(chunk):
        try:
            for wid in chunk:
                for step in range(1, updates + 1):
                    request(base, "PATCH", f"/api/workflows/{wid}", {"status": "running", "current_step": step, "message": MESSAGE})
                if finish:
                    request(base, "PATCH", f"/api/workflows/{wid}", {"status": "completed"})
        except Exception as e:  # noqa: BLE001 - reported below
            errors.append(e)

    threads = [threading.Thread(target=worker, args=(ids[i::4],)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    if errors:
        sys.exit(f"writes failed: {errors[0]}")
    return ids


def sqlite_bytes(directory):
    path = os.path.join(directory, "vapora.db")
    with sqlite3.connect(path) as c:
        c.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        # Pages in use: deleted rows leave free pages that the file keeps (and reuses) until a VACUUM.
        pages, free, size = (c.execute(f"PRAGMA {p}").fetchone()[0] for p in ("page_count", "freelist_count", "page_size"))
    return (pages - free) * size


def gc_metrics(base):
    text = urllib.request.urlopen(base + "/metrics", timeout=30).read().decode()

    def total(name):
        return sum(float(m.group(1)) for m in re.finditer(rf"^{name}{{[^}}]*}} (\S+)$", text, re.M))
    # Live bytes after the last GC: the heap's size less its free space.
    return total("dotnet_gc_last_collection_heap_size_bytes") - total("dotnet_gc_last_collection_heap_fragmentation_size_bytes"), \
        total("dotnet_gc_collections_total")


def heap_bytes(gcdump, pid, base, directory):
    # dotnet-gcdump induces a full blocking GC; its heap walk may lose events on a busy machine, so the live heap is
    # read from the runtime's own figures of that GC (System.Runtime metrics), which do not depend on the walk.
    _, collections = gc_metrics(base)
    subprocess.run([gcdump, "collect", "-p", str(pid), "-o", os.path.join(directory, "heap.gcdump")], capture_output=True)
    live, after = gc_metrics(base)
    if after <= collections:
        sys.exit("dotnet-gcdump did not make the API collect its heap")
    return live


def measure(provider, redis_port, args, compact):
    directory = tempfile.mkdtemp(prefix=f"vapora-size-{provider}-")
    process, base = start_api(provider, redis_port, directory, compact)
    try:
        measure_now = (lambda: sqlite_bytes(directory)) if provider == "sqlite" else (lambda: heap_bytes(args.gcdump, process.pid, base, directory))
        write(base, 4, 10, finish=False)  # warm-up: first-request caches and pools are not the updates' cost
        before = measure_now()
        ids = write(base, args.workflows, args.updates, finish=compact)
        if compact:
            wait_until(lambda: all(len(request(base, "GET", f"/api/workflows/{i}/history")) == 1 for i in ids[-3:]), "compaction")
            wait_until(lambda: all(len(request(base, "GET", f"/api/workflows/{i}/history")) == 1 for i in ids), "compaction of all")
        after = measure_now()
        return before, after, len(ids)
    finally:
        process.terminate()
        process.wait(timeout=30)
        shutil.rmtree(directory, ignore_errors=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--workflows", type=int, default=100)
    parser.add_argument("--updates", type=int, default=100)
    parser.add_argument("--gcdump", default=shutil.which("dotnet-gcdump") or "/tmp/tools/dotnet-gcdump")
    parser.add_argument("--providers", default="sqlite,memory")
    args = parser.parse_args()
    if not os.path.exists(API_DLL):
        sys.exit(f"build first: dotnet build Vapora.sln -c Release ({API_DLL} is missing)")
    redis_port = free_port()
    redis = subprocess.Popen(["redis-server", "--port", str(redis_port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
                             stdout=subprocess.DEVNULL)
    try:
        print(f"{args.workflows} workflows x {args.updates} updates (+1 create each), message of {len(MESSAGE)} characters")
        print("| store | bytes per update (full history) | bytes per workflow after compaction |")
        print("|---|---|---|")
        for provider in args.providers.split(","):
            if provider == "memory" and not os.path.exists(args.gcdump):
                print(f"| memory | skipped: no dotnet-gcdump at {args.gcdump} | |")
                continue
            before, after, workflows = measure(provider, redis_port, args, compact=False)
            per_update = (after - before) / (workflows * (args.updates + 1))
            c_before, c_after, _ = measure(provider, redis_port, args, compact=True)
            print(f"| {provider} | {per_update:,.0f} | {(c_after - c_before) / workflows:,.0f} |", flush=True)
    finally:
        redis.terminate()
        redis.wait(timeout=10)


if __name__ == "__main__":
    main()
