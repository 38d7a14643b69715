"""Concurrent writers on one store (issue 7, suite item 2), as an importable helper: the normal
test run calls `run_concurrent` with small numbers, `benchmarks/faults.py` with big ones.

At once, each in its own process: `writers` editors (half through the API with one long-lived
store object, half through the CLI: its `main(["--store", P, "set", ...])` once per edit, a
fresh store object each time as a separate `session-tui set` run has),
each making `edits` edits spread over `sessions` shared sessions; an agent appending events to
them (and creating "race" sessions); an importer with a store object opened before everything
else (so its own view is stale) importing new sessions, the shared ones and the race ones
(default policy: skip); and an undoer undoing changes on the shared sessions.

Afterwards: nothing lost (every append present, every edit event present unless the undoer
undid it, each race session created by exactly one side, the one that says it did), every state
what its events say, undo never refused and never removing anything but an edit.

Processes are started, wait on a line from the parent (so all begin together), and are waited
on until they exit: no sleeping anywhere.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from storekit import REPO, python_env

CHILD = r"""
import json, sys
from session_tui.model import Event, Session
from session_tui.store import NothingToUndo, StoreError, open_store

role, path, config = sys.argv[1], sys.argv[2], json.loads(sys.argv[3])
shared = config["shared"]
store = open_store(path)  # opened before the start: a long-lived store object
print("ready", flush=True)
sys.stdin.readline()
report = {}
if role == "api-editor" or role == "cli-editor":
    n, done = config["n"], []
    if role == "cli-editor":
        from session_tui import cli
    for i in range(config["edits"]):
        sid, key = shared[(n + i) % len(shared)], f"w{n}-{i:04d}"
        if role == "api-editor":
            store.set_value(sid, "/" + key, i)
        else:
            code = cli.main(["--store", path, "set", sid, "/" + key, str(i)])
            if code != 0:
                raise SystemExit(f"cli set exited {code}")
        done.append([sid, key])
    report["edits"] = done
elif role == "agent":
    appended, created, refused = [], [], []
    races = list(range(config["races"]))
    for k in range(config["appends"]):
        sid, key = shared[k % len(shared)], f"agent-{k:04d}"
        session = store.append_event(sid, Event.new(f"agent-inv-{k}", "agent", f"reply {k}",
                                                    state_delta={key: k}))
        appended.append([sid, session.events[-1].id, key])
        if races:  # one race session with each of the first appends
            rid = f"race-{races.pop(0)}"
            try:
                store.create("creator", "agent", state={"by": "creator"}, session_id=rid)
                created.append(rid)
            except StoreError as exc:
                refused.append(rid)
    report.update(appended=appended, created=created, create_refused=refused)
elif role == "importer":
    added, skipped, replaced = [], [], []
    last = config["imports"] - 1
    for b in range(config["imports"]):
        # The race sessions: not in the first batch (give the agent time to create some),
        # and each again in the last (it exists by then, whoever created it).
        racing = [f"race-{r}" for r in range(config["races"])
                  if b == last or (b > 0 and r % last == b - 1)]
        batch = []
        for sid in [f"imp-{b}"] + racing + shared:
            s = Session.new("importer", "importer", sid)
            s.state = {"by": "importer"}
            batch.append(s)
        result = store.import_sessions(batch)
        added += result.added  # an id twice here: it overwrote a session
        skipped += result.skipped
        replaced += result.replaced + [old for old, _ in result.renamed]
    report.update(added=added, skipped=skipped, replaced=replaced)
elif role == "undoer":
    # Until `undos` undos went through, round the shared sessions: one may have nothing to
    # undo yet (the editors start at the same time). The editors make more edits than that.
    undone, nothing, refused, u = [], 0, [], 0
    while len(undone) + len(refused) < config["undos"] and u < 1000 * config["undos"]:
        sid = shared[u % len(shared)]
        u += 1
        try:
            undone.append([sid, store.undo(sid).undone])
        except NothingToUndo:
            nothing += 1
        except StoreError as exc:
            refused.append(str(exc))
    report.update(undone=undone, nothing=nothing, refused=refused)
print("REPORT " + json.dumps(report), flush=True)
"""


def _start(role: str, store_path: Path, config: dict[str, Any]) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-c", CHILD, role, str(store_path), json.dumps(config)],
        env=python_env(), cwd=REPO, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
        stderr=subprocess.PIPE, text=True)


def _report(role: str, proc: subprocess.Popen, timeout: float) -> dict[str, Any]:
    out, err = proc.communicate(timeout=timeout)
    if proc.returncode != 0:
        raise RuntimeError(f"{role} exited {proc.returncode}: {err.strip()[-2000:]}")
    lines = [line for line in out.splitlines() if line.startswith("REPORT ")]
    return json.loads(lines[-1][len("REPORT "):])


def run_concurrent(store_path: str | Path, writers: int = 4, edits: int = 25, sessions: int = 1,
                   appends: int | None = None, undos: int | None = None, imports: int = 4,
                   races: int = 8, timeout: float = 300) -> dict[str, Any]:
    """Run the writers above on the store at `store_path` (an existing store folder or TinyDB
    file; the shared sessions `shared-0`... are created here) and check the result. Returns
    counts and `problems` (one line each; empty when nothing was lost)."""
    from session_tui.model import apply_delta
    from session_tui.store import open_store

    if imports < 2:
        raise ValueError("the importer needs two batches at least (the races are imported twice)")
    store_path = Path(store_path)
    appends = 2 * edits if appends is None else appends
    undos = edits if undos is None else undos
    if undos > writers * edits:
        raise ValueError("the undoer needs at least as many edits to undo as it makes undos")
    shared = [f"shared-{n}" for n in range(sessions)]
    setup = open_store(store_path)
    for sid in shared:
        setup.create("app", "user", state={"initial": True}, session_id=sid)
    base = {"shared": shared, "edits": edits, "appends": appends, "undos": undos,
            "imports": imports, "races": races}
    roles = [(("api-editor" if n % 2 == 0 else "cli-editor"), {"n": n}) for n in range(writers)]
    roles += [("agent", {}), ("importer", {}), ("undoer", {})]
    procs = []
    try:
        for role, extra in roles:
            procs.append((role, _start(role, store_path, {**base, **extra})))
        for role, proc in procs:
            line = proc.stdout.readline().strip()
            if line != "ready":
                raise RuntimeError(f"{role} did not start: {line} {proc.stderr.read()[-2000:]}")
        start = time.perf_counter()
        for _, proc in procs:
            proc.stdin.write("go\n")  # communicate() below closes it
            proc.stdin.flush()
        reports = [(role, _report(role, proc, timeout)) for role, proc in procs]
        seconds = time.perf_counter() - start
    finally:
        for _, proc in procs:
            if proc.poll() is None:
                proc.kill()
                proc.wait()

    edited = [tuple(e) for role, r in reports if role.endswith("editor") for e in r["edits"]]
    agent = next(r for role, r in reports if role == "agent")
    importer = next(r for role, r in reports if role == "importer")
    undoer = next(r for role, r in reports if role == "undoer")
    problems: list[str] = []
    store = open_store(store_path)

    edits_undone = {sid: 0 for sid in shared}
    for sid, kind in undoer["undone"]:
        if kind != "edit":
            problems.append(f"{sid}: the undoer undid a {kind}; only edits were made")
        edits_undone[sid] += 1
    problems += [f"undo refused: {line}" for line in undoer["refused"]]

    present_edits = 0
    appends_present = 0
    for sid in shared:
        session = store.get(sid)
        ids = [e.id for e in session.events]
        if len(set(ids)) != len(ids):
            problems.append(f"{sid}: an event appears twice")
        edit_keys = [k for e in session.events if e.author == "session-tui"
                     for k in e.actions.state_delta]
        mine = [k for s, k in edited if s == sid]
        present_edits += len(edit_keys)
        if len(edit_keys) != len(mine) - edits_undone[sid]:
            problems.append(f"{sid}: {len(mine)} edits made, {edits_undone[sid]} undone, but "
                            f"{len(edit_keys)} edit events left")
        if not set(edit_keys) <= set(mine):
            problems.append(f"{sid}: edit events nobody made")
        for n in range(writers):  # each writer's edits in its own order
            own = [k for k in edit_keys if k.startswith(f"w{n}-")]
            if own != sorted(own):
                problems.append(f"{sid}: writer {n}'s edits out of order")
        appended = [(i, k) for s, i, k in agent["appended"] if s == sid]
        missing = [k for i, k in appended if i not in ids]
        appends_present += len(appended) - len(missing)
        if missing:
            problems.append(f"{sid}: {len(missing)} appended events lost (first: {missing[0]})")
        expected = dict(session.extra.get("initial_state", {}))
        for event in session.events:
            apply_delta(expected, event.actions.state_delta)
        if session.state != expected:
            problems.append(f"{sid}: the state is not what its events say")

    for r in range(races):
        rid = f"race-{r}"
        claims = [agent["created"].count(rid), importer["added"].count(rid)]
        if sum(claims) != 1:
            problems.append(f"{rid}: created by the agent {claims[0]}, imported {claims[1]}")
            continue
        if rid not in store:
            problems.append(f"{rid}: missing")
            continue
        by = store.get(rid).state.get("by")
        if by != ("creator" if claims[0] else "importer"):
            problems.append(f"{rid}: holds the {by}'s version, but the other side created it")
    for sid in importer["replaced"]:
        problems.append(f"the importer replaced or renamed {sid} (policy skip)")
    for sid in shared:
        if sid in importer["added"]:
            problems.append(f"the importer added {sid}, which existed all along")
    for b in range(imports):
        if f"imp-{b}" not in store:
            problems.append(f"imp-{b}: imported but missing")
    index = store_path / "index.json"
    if index.is_file():  # a store folder: the index a writer last wrote lists every session
        # (index.json and the lines of index.jsonl written since, replayed over it)
        listed = {doc.get("id") for doc in written_index(store_path).values()}
        files = set(store.ids())
        if listed != files:
            problems.append(f"index.json lists {len(listed)} sessions, the files hold {len(files)}")

    return {
        "writers": writers, "sessions": sessions, "seconds": round(seconds, 2),
        "edits": len(edited), "edits_undone": sum(edits_undone.values()),
        "edit_events_present": present_edits, "appends": len(agent["appended"]),
        "appends_present": appends_present, "undos": len(undoer["undone"]),
        "undo_nothing": undoer["nothing"], "undo_refused": len(undoer["refused"]),
        "imported": len(importer["added"]), "import_skipped": len(importer["skipped"]),
        "races": races, "race_created": len(agent["created"]),
        "race_imported": sum(1 for r in range(races) if f"race-{r}" in importer["added"]),
        "problems": problems,
    }


def written_index(store_path) -> dict:
    """The index documents as the writers left them: index.json, then index.jsonl replayed."""
    from pathlib import Path

    store_path = Path(store_path)
    docs = {d["file"]: d for d in json.loads((store_path / "index.json").read_bytes())["sessions"].values()}
    log = store_path / "index.jsonl"
    for line in (log.read_bytes().splitlines() if log.is_file() else []):
        try:
            doc = json.loads(line)
        except ValueError:
            continue
        if doc.get("gone"):
            docs.pop(doc["file"], None)
        else:
            docs[doc["file"]] = doc
    return docs
