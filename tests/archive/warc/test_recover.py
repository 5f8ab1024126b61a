"""`recover` (#15 point 1): only an incomplete tail is ever cut; damage in the middle of an
unfinished WARC is reported and every record around it kept.

Each case makes a real crashed writer's file (tests/archive/warc/test_warc.py's _crash_writer: a child
process writes N exchanges and is killed with SIGKILL), damages it, and reads the result back
with warcio.
"""
from __future__ import annotations

import subprocess
import sys

from archive.warc import iter_exchanges, iter_members, recover
from tests.archive.warc.test_warc import _crash_writer
from tests.crawling import ROOT, warcio_cli


def _responses(path) -> int:
    from warcio.archiveiterator import ArchiveIterator

    n = 0
    with open(path, "rb") as f:
        it = ArchiveIterator(f)
        try:
            for rec in it:
                n += rec.rec_type == "response"
        except Exception:   # warcio stops at the damaged member; what came before is counted
            pass
    return n


def _flip(path, offset: int) -> None:
    with open(path, "r+b") as f:
        f.seek(offset)
        b = f.read(1)
        f.seek(offset)
        f.write(bytes([b[0] ^ 0xFF]))


def test_a_corrupt_member_in_the_middle_is_reported_and_its_neighbours_kept(tmp_path):
    open_path = _crash_writer(tmp_path, 12)
    size = open_path.stat().st_size
    members = [(m.offset, m.length) for m in iter_members(open(open_path, "rb"))]
    # damage the deflate data of a response record in the middle (exchange 5 of 12)
    off, length = members[1 + 3 * 5]
    _flip(open_path, off + length // 2)
    report = recover(tmp_path)
    final = open_path.with_name(open_path.name[: -len(".open")])
    assert final.exists() and final.stat().st_size == size       # not one byte cut
    assert len(report) == 1 and "corrupt" in report[0] and str(off) in report[0]
    assert report.damaged == [final.name]
    kept = [e.context["i"] for e in iter_exchanges(final)]
    assert kept == [0, 1, 2, 3, 4, 6, 7, 8, 9, 10, 11]           # only the damaged one is lost
    assert recover(tmp_path) == []


def test_an_incomplete_tail_is_still_cut_after_middle_damage(tmp_path):
    open_path = _crash_writer(tmp_path, 6)
    members = [(m.offset, m.length) for m in iter_members(open(open_path, "rb"))]
    _flip(open_path, members[4][0] + members[4][1] // 2)         # exchange 1's response
    last_off, last_len = members[-3]
    with open(open_path, "r+b") as f:                           # a crash inside the last response
        f.truncate(last_off + last_len // 2)
    report = recover(tmp_path)
    final = open_path.with_name(open_path.name[: -len(".open")])
    assert final.stat().st_size == last_off
    assert "corrupt" in report[0] and "cut" in report[0]
    assert [e.context["i"] for e in iter_exchanges(final)] == [0, 2, 3, 4]


def test_zeros_left_by_a_power_loss_are_a_tail(tmp_path):
    open_path = _crash_writer(tmp_path, 3)
    size = open_path.stat().st_size
    with open(open_path, "ab") as f:
        f.write(b"\0" * 4096)
    report = recover(tmp_path)
    final = open_path.with_name(open_path.name[: -len(".open")])
    assert final.stat().st_size == size and "cut 4096 bytes" in report[0]
    assert not report.damaged
    assert warcio_cli("check", str(final)).returncode == 0
    assert _responses(final) == 3


def test_a_file_whose_only_exchange_is_damaged_is_kept_not_deleted(tmp_path):
    open_path = _crash_writer(tmp_path, 1)
    members = [(m.offset, m.length) for m in iter_members(open(open_path, "rb"))]
    _flip(open_path, members[1][0] + members[1][1] // 2)
    size = open_path.stat().st_size
    report = recover(tmp_path)
    final = open_path.with_name(open_path.name[: -len(".open")])
    assert final.exists() and final.stat().st_size == size
    assert report.damaged == [final.name]


def test_recover_command_exits_non_zero_on_damage(tmp_path):
    open_path = _crash_writer(tmp_path, 4)
    members = [(m.offset, m.length) for m in iter_members(open(open_path, "rb"))]
    _flip(open_path, members[4][0] + members[4][1] // 2)
    r = subprocess.run([sys.executable, "-m", "archive", "recover", str(tmp_path)], cwd=ROOT,
                       capture_output=True, text=True)
    assert r.returncode == 1, r.stdout + r.stderr
    assert "corrupt" in r.stdout and "python -m archive verify" in r.stdout
