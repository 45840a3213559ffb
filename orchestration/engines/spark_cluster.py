"""A Spark standalone cluster on this machine: one master and N workers from the installed pyspark.

`python -m orchestration.engines.spark_cluster start --dir DIR` starts them on 127.0.0.1 and prints the
master URL to give `partner-warehouse run --engine spark` (PARTNER_WAREHOUSE_SPARK_MASTER);
`... stop --dir DIR` stops exactly the processes it started, by the pids it wrote to DIR/pids.json.
Each worker runs its executors in DIR/worker-<i>/: one folder per application and executor there is
the evidence that the executors ran on the workers (executors_used). Everything runs from pyspark's
own jars (no download); pyspark's wheel has `bin/spark-class` but not the `sbin/start-*.sh` scripts,
so the daemons are started through spark-class directly, in their own process group.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

HOST = "127.0.0.1"
PIDS = "pids.json"


@dataclass
class Cluster:
    master_url: str
    web_url: str
    pids: list[int]
    dir: Path


def spark_home() -> Path:
    from pyspark.find_spark_home import _find_spark_home

    return Path(_find_spark_home())


def _free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def _spawn(args: list[str], log: Path) -> int:
    env = {**os.environ, "SPARK_HOME": str(spark_home()), "SPARK_LOCAL_IP": HOST, "SPARK_NO_DAEMONIZE": "1"}
    with log.open("w") as out:
        proc = subprocess.Popen(
            [str(spark_home() / "bin" / "spark-class"), *args],
            env=env, stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, start_new_session=True,
        )  # fmt: skip
    return proc.pid


def _wait_for_port(port: int, log: Path, timeout: float = 90) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with socket.socket() as s:
            if s.connect_ex((HOST, port)) == 0:
                return
        time.sleep(0.5)
    raise RuntimeError(f"Spark master did not open {HOST}:{port} within {timeout:.0f}s; see {log}")


def _wait_for_workers(web_port: int, workers: int, timeout: float = 90) -> None:
    """The master's JSON status lists each registered worker; a run started before they register
    would get no executor."""
    import urllib.request

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://{HOST}:{web_port}/json/", timeout=5) as r:
                alive = [w for w in json.load(r).get("workers", []) if w.get("state") == "ALIVE"]
            if len(alive) >= workers:
                return
        except OSError:
            pass
        time.sleep(0.5)
    raise RuntimeError(f"fewer than {workers} Spark workers registered within {timeout:.0f}s")


def start(directory: Path, *, workers: int = 2, cores: int = 1, memory: str = "1g") -> Cluster:
    """Master + `workers` workers (each `cores` cores and `memory` for executors), all on 127.0.0.1."""
    directory = Path(directory).resolve()
    directory.mkdir(parents=True, exist_ok=True)
    port, web_port = _free_port(), _free_port()
    pids = []
    try:
        log = directory / "master.log"
        master = ["org.apache.spark.deploy.master.Master", "--host", HOST, "--port", str(port)]
        pids.append(_spawn([*master, "--webui-port", str(web_port)], log))
        _wait_for_port(port, log)
        url = f"spark://{HOST}:{port}"
        for i in range(workers):
            work = directory / f"worker-{i}"
            work.mkdir(exist_ok=True)
            worker = ["org.apache.spark.deploy.worker.Worker", url, "--host", HOST, "--cores", str(cores)]
            args = [*worker, "--memory", memory, "--work-dir", str(work), "--webui-port", str(_free_port())]
            pids.append(_spawn(args, directory / f"worker-{i}.log"))
        _wait_for_workers(web_port, workers)
    except BaseException:
        _kill(pids)
        raise
    (directory / PIDS).write_text(json.dumps({"master_url": url, "web_port": web_port, "pids": pids}))
    return Cluster(url, f"http://{HOST}:{web_port}", pids, directory)


def stop(directory: Path) -> list[int]:
    """Stop the processes `start` wrote into directory/pids.json (and only those); returns their pids."""
    path = Path(directory) / PIDS
    if not path.exists():
        return []
    pids = json.loads(path.read_text())["pids"]
    _kill(pids)
    path.unlink()
    return pids


def _kill(pids: list[int]) -> None:
    """SIGTERM to each daemon's process group (the daemon and the executors it forked: start_new_session
    made the group), SIGKILL to what is still alive 20 s later."""
    for pid in pids:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(pid, signal.SIGTERM)
    deadline = time.monotonic() + 20
    while any(_alive(pid) for pid in pids) and time.monotonic() < deadline:
        time.sleep(0.2)
    for pid in pids:
        if _alive(pid):
            with contextlib.suppress(ProcessLookupError):
                os.killpg(pid, signal.SIGKILL)


def _alive(pid: int) -> bool:
    with contextlib.suppress(ChildProcessError):  # a child of this process is reaped; another one is not ours to reap
        if os.waitpid(pid, os.WNOHANG)[0]:
            return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def executors_used(directory: Path) -> dict[str, int]:
    """Executors each worker ran (one folder per application/executor in its work dir)."""
    return {
        w.name: sum(1 for app in w.iterdir() if app.is_dir() for e in app.iterdir() if e.is_dir())
        for w in sorted(Path(directory).glob("worker-*"))
        if w.is_dir()
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m orchestration.engines.spark_cluster", description=__doc__)
    parser.add_argument("action", choices=("start", "stop", "status"))
    parser.add_argument("--dir", required=True, help="folder for the pids, logs and worker directories")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--cores", type=int, default=1, help="cores per worker")
    parser.add_argument("--memory", default="1g", help="executor memory per worker")
    args = parser.parse_args(argv)
    if args.action == "start":
        cluster = start(Path(args.dir), workers=args.workers, cores=args.cores, memory=args.memory)
        print(f"master {cluster.master_url} (status {cluster.web_url}), pids {cluster.pids}")
        print(f"run with: PARTNER_WAREHOUSE_SPARK_MASTER={cluster.master_url} partner-warehouse run --engine spark ...")
    elif args.action == "stop":
        print(f"stopped pids {stop(Path(args.dir))}")
    else:
        print(json.dumps(executors_used(Path(args.dir))))
    return 0


if __name__ == "__main__":
    sys.exit(main())
