"""Loopback HTTP client for the gunicorn suite, every wait bounded.
  client.py port             -> prints a free loopback port
  client.py wait PORT SECS   -> polls until PORT accepts connections (exit 1 at the deadline)
  client.py load PORT N THREADS TIMEOUT [PATH]
                             -> N concurrent GET PATH (default /query), one summary line
  client.py mixed PORT N THREADS TIMEOUT
                             -> N concurrent requests, /plain and /query alternating,
                                one summary line per path
  client.py get PORT PATH TIMEOUT -> one GET, prints "status N body" or "error ..."
"""
import concurrent.futures
import http.client
import socket
import sys
import time


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait(port, secs):
    deadline = time.monotonic() + secs
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            return True
        except OSError:
            time.sleep(0.05)
    return False


def get(port, path, timeout):
    start = time.monotonic()
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        conn.request("GET", path)
        resp = conn.getresponse()
        body = resp.read().decode(errors="replace")
        return resp.status, body, time.monotonic() - start
    except socket.timeout:
        return "timeout", "", time.monotonic() - start
    except OSError as e:
        return "error", "%s: %s" % (type(e).__name__, e), time.monotonic() - start
    finally:
        conn.close()


def load(port, n, threads, timeout, path="/query"):
    with concurrent.futures.ThreadPoolExecutor(threads) as ex:
        results = list(ex.map(lambda _: get(port, path, timeout), range(n)))
    by = {}
    for status, _, _ in results:
        by[status] = by.get(status, 0) + 1
    slowest = max(t for _, _, t in results)
    print("load: %d requests ok=%d http500=%d timeout=%d error=%d other=%d slowest=%.2fs"
          % (n, by.get(200, 0), by.get(500, 0), by.get("timeout", 0), by.get("error", 0),
             n - sum(by.get(k, 0) for k in (200, 500, "timeout", "error")), slowest),
          flush=True)
    pids = sorted({b.split()[-1] for s, b, _ in results if s == 200})
    print("load: served by pids", " ".join(pids), flush=True)
    errors = [b for s, b, _ in results if s == "error"][:3]
    if errors:
        print("load: errors", errors, flush=True)


def mixed(port, n, threads, timeout):
    paths = ["/plain" if i % 2 == 0 else "/query" for i in range(n)]
    with concurrent.futures.ThreadPoolExecutor(threads) as ex:
        results = list(ex.map(lambda p: (p,) + get(port, p, timeout), paths))
    for path in ("/plain", "/query"):
        mine = [r for r in results if r[0] == path]
        st = [s for _, s, _, _ in mine]
        good = sum(1 for _, s, b, _ in mine if s == 200 and (path != "/plain" or " True " in b))
        print("mixed %s: %d requests ok=%d http500=%d timeout=%d error=%d"
              % (path, len(mine), good, st.count(500), st.count("timeout"), st.count("error")),
              flush=True)


if __name__ == "__main__":
    cmd = sys.argv[1]
    if cmd == "port":
        print(free_port())
    elif cmd == "wait":
        sys.exit(0 if wait(int(sys.argv[2]), float(sys.argv[3])) else 1)
    elif cmd == "load":
        load(int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), float(sys.argv[5]),
             *sys.argv[6:7])
    elif cmd == "mixed":
        mixed(int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), float(sys.argv[5]))
    elif cmd == "get":
        status, body, t = get(int(sys.argv[2]), sys.argv[3], float(sys.argv[4]))
        print("status %s %.2fs %s" % (status, t, body.strip()), flush=True)
