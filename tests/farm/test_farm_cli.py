"""`python -m farm serve|demo` as a user runs them: README's commands work, bad input is one line."""
from __future__ import annotations

import re
import shlex
import socket
import subprocess
import sys
import time

import pytest

from tests.crawling import FAST, ROOT, crawl_env, free_port


def farm_cli(*args, timeout=60) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "farm", *map(str, args)], cwd=ROOT, env=crawl_env(None),
                          capture_output=True, text=True, timeout=timeout)


def readme_offline_demo() -> tuple[list[str], list[str]]:
    """The two commands of README's "Offline demo" block: (farm serve argv, scrapy crawl argv)."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    block = re.search(r"## Offline demo.*?```sh\n(.*?)```", text, re.S).group(1)
    serve, crawl = [shlex.split(line, comments=True) for line in block.strip().splitlines()]
    return [a for a in serve if a != "&"], crawl


@pytest.mark.slow
def test_readme_offline_demo_commands_crawl_the_farm(tmp_path):
    # README's crawl read `-a portals=portals.csv`, a file nothing had written: "no such file"
    serve, crawl = readme_offline_demo()
    assert serve[:4] == [".venv/bin/python", "-m", "farm", "serve"]
    csv_name = serve[serve.index("--portals-csv") + 1]
    assert f"portals={csv_name}" in crawl
    port = free_port()
    csv_path = tmp_path / csv_name
    serve_argv = [sys.executable, *serve[1:]]
    serve_argv[serve_argv.index("--port") + 1] = str(port)
    serve_argv[serve_argv.index("--portals-csv") + 1] = str(csv_path)
    server = subprocess.Popen(serve_argv, cwd=ROOT, env=crawl_env(None), stdout=subprocess.PIPE, text=True)
    try:
        lines = [server.stdout.readline() for _ in range(3)]
        assert f"http_proxy=http://127.0.0.1:{port}\n" in lines and csv_path.exists()
        assert crawl[0] == f"http_proxy=http://127.0.0.1:{serve[serve.index('--port') + 1]}"
        argv = [sys.executable, "-m", "scrapy", *crawl[2:]]
        argv[argv.index(f"portals={csv_name}")] = f"portals={csv_path}"
        archive = tmp_path / "a"
        argv[argv.index("ARCHIVE_DIR=/tmp/a")] = f"ARCHIVE_DIR={archive}"
        for key, value in FAST.items():
            argv += ["-s", f"{key}={value}"]
        proc = subprocess.run(argv, cwd=ROOT, env=crawl_env(port), capture_output=True, text=True, timeout=300)
        assert proc.returncode == 0, proc.stderr[-3000:]
        assert (archive / "reports.db").exists() and list((archive / "warc").glob("*.warc.gz"))
    finally:
        server.terminate()
        server.wait(10)


def test_serve_unknown_kind_is_a_usage_error():
    proc = farm_cli("serve", "--kind", "tiny")
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    assert "argument --kind: invalid choice: 'tiny'" in proc.stderr


def test_serve_on_a_taken_port_says_so():
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        proc = farm_cli("serve", "--port", port)
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    assert proc.stderr.strip().endswith(f"cannot listen on 127.0.0.1:{port}: Address already in use "
                                        "(--port 0 picks a free port)")


@pytest.mark.parametrize("args,message", [
    (["--kind", "tiny"], "argument --kind: invalid choice: 'tiny'"),
    (["--archive-dir", "{file}"], "--archive-dir {file} is a file, not a directory"),
])
def test_demo_bad_arguments_are_usage_errors(tmp_path, args, message):
    afile = tmp_path / "afile"
    afile.write_text("x")
    start = time.monotonic()
    proc = farm_cli("demo", *[a.format(file=afile) for a in args])
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    assert message.format(file=afile) in proc.stderr
    assert time.monotonic() - start < 30  # refused before any crawl
