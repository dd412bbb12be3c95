"""Parallel writers through the API lose nothing (SQLite WAL + busy handling, PostgreSQL)."""
import threading
import uuid


def test_parallel_project_creates(cloud):
    tok, _ = cloud.token("admin")
    tag = uuid.uuid4().hex[:8]
    statuses = []
    lock = threading.Lock()

    def worker(w):
        for i in range(25):
            st, _, _ = cloud.request("POST", "/identity/v3/projects", token=tok, body={
                "project": {"name": f"par-{tag}-{w}-{i}", "domain_id": "default"}})
            with lock:
                statuses.append(st)

    threads = [threading.Thread(target=worker, args=(w,)) for w in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert statuses == [201] * 200
    st, _, body = cloud.request("GET", "/identity/v3/projects", token=tok)
    assert st == 200
    names = {p["name"] for p in body["projects"] if p["name"].startswith(f"par-{tag}-")}
    assert len(names) == 200


def test_parallel_duplicate_creates_one_wins(cloud):
    """The same name from many clients at once: exactly one 201, the rest 409."""
    tok, _ = cloud.token("admin")
    name = "dup-" + uuid.uuid4().hex[:8]
    statuses = []
    lock = threading.Lock()

    def worker():
        st, _, _ = cloud.request("POST", "/identity/v3/projects", token=tok, body={
            "project": {"name": name, "domain_id": "default"}})
        with lock:
            statuses.append(st)

    threads = [threading.Thread(target=worker) for _ in range(12)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(statuses) == [201] + [409] * 11
