"""The analytics database of a very busy blog: how long a batch write and a report take.

Fills a temporary SQLite file with 90 days of events as searchsvc keeps them: every hour 300
distinct queries (1-3 words of 3,000), each searched 1-5 times, 40% of them clicked (about
900,000 rows), then times ``insights.report`` for 7, 30 and 90 days (20 rows per list, and
1,000 for 30 days) and the writing of one batch of 200 events into it.

    .venv/bin/python bench/insights_bench.py
"""

import time, random, tempfile
from pathlib import Path
from collections import Counter
from searchsvc.analytics import Event, connect, write, hour_of
from searchsvc.insights import report
if __name__ == "__main__":
    db = Path(tempfile.mkdtemp()) / "a.sqlite3"
    rnd = random.Random(1)
    vocab = [f"word{i}" for i in range(3000)]
    conn = connect(db)
    now = time.time()
    rows = 0
    t0 = time.perf_counter()
    for h in range(90 * 24):
        c = Counter()
        hour = hour_of(now - h * 3600)
        for _ in range(300):
            q = " ".join(rnd.choices(vocab, k=rnd.randint(1, 3)))
            c[Event("search", q, hour, results=rnd.randint(0, 20)).key] += rnd.randint(1, 5)
            if rnd.random() < 0.4:
                c[Event("click", q, hour, url=f"/blog/p{rnd.randrange(1000)}", position=rnd.randint(1, 5)).key] += 1
        write(conn, c)
        rows += len(c)
    print("rows", rows, "write s", round(time.perf_counter() - t0, 1), "MB", round(db.stat().st_size / 1e6, 1))
    conn.close()
    for days in (7, 30, 90):
        t = time.perf_counter(); r = report(db, days=days, limit=20); print(days, "days:", round((time.perf_counter() - t) * 1000), "ms", r["searches"])
    # a batch of 200 events into the big table
    conn = connect(db)
    c = Counter(Event("search", f"q{i}", hour_of(now), results=1).key for i in range(200))
    t = time.perf_counter(); write(conn, c); print("one batch of 200:", round((time.perf_counter() - t) * 1000, 1), "ms")
    for days in (30,):
        t = time.perf_counter(); r = report(db, days=days, limit=1000); print("limit 1000", days, "days:", round((time.perf_counter() - t) * 1000), "ms", len(r["top_queries"]))
