"""Per-document time and memory budgets for extraction, enforced from outside the extractor.

A hostile document (a PDF of scattered glyphs, a Flate bomb, a page tree of 100,000 pages)
can keep any parser busy for minutes or eat the machine's memory. ``BudgetPool`` runs
extraction in worker processes of its own: each worker has an address-space limit
(RLIMIT_AS, ``memory_mb``), and the pool kills a worker whose document runs past
``timeout`` seconds and starts a fresh one. The document's future then fails with
``BudgetExceeded`` (its message goes to ``extract_error``); the other documents go on.
A plain ``ProcessPoolExecutor`` cannot do this: it has no per-task timeout and breaks as a
whole when one worker dies.

Budgets come from the environment (crawl settings of the same names override them):
``NIANBAO_EXTRACT_TIMEOUT`` (seconds, default 60), ``NIANBAO_EXTRACT_MEMORY_MB`` (default
1024; 0: no limit).

Work that is slow by nature and bounded by its own cap asks for more time while it runs:
OCR calls ``allow_more_time`` before each page (at most ``NIANBAO_OCR_MAX_PAGES`` pages),
so a 30-page scan is not killed at 60 s while a parser stuck on one hostile page still is.
"""
from __future__ import annotations

import multiprocessing
import os
import threading
import time
from collections import deque
from concurrent.futures import Future
from multiprocessing.connection import wait

from archive import env_number

__all__ = ["BudgetExceeded", "BudgetPool", "allow_more_time", "budget_from_env", "set_time_extender", "failed_extraction",
           "set_memory_limit"]

DEFAULT_TIMEOUT = 60.0
DEFAULT_MEMORY_MB = 1024


class BudgetExceeded(RuntimeError):
    """A document's extraction ran out of time or memory; its worker was killed."""


def budget_from_env(environ=os.environ) -> tuple[float, int]:
    """(timeout seconds, memory MB) from NIANBAO_EXTRACT_TIMEOUT / NIANBAO_EXTRACT_MEMORY_MB;
    ValueError naming the variable and its value for one that is not a number."""
    return (env_number("NIANBAO_EXTRACT_TIMEOUT", DEFAULT_TIMEOUT, environ),
            env_number("NIANBAO_EXTRACT_MEMORY_MB", DEFAULT_MEMORY_MB, environ))


def _address_space() -> int:
    """Bytes of address space this process maps now (VmSize), 0 where /proc is missing."""
    try:
        with open("/proc/self/status", encoding="ascii") as f:
            for line in f:
                if line.startswith("VmSize:"):
                    return int(line.split()[1]) << 10
    except (OSError, ValueError):
        pass
    return 0


def set_memory_limit(memory_mb: int) -> None:
    """Let this process map at most ``memory_mb`` more address space than it does now: past
    it allocations fail (MemoryError) instead of the kernel's OOM killer choosing a victim.
    No-op where RLIMIT_AS does not exist."""
    if not memory_mb:
        return
    try:
        import resource
    except ImportError:  # pragma: no cover - not POSIX
        return
    # On top of what the process already maps: a worker forked from a big parent (reindex run
    # from a process with many libraries loaded) starts with hundreds of MB of address space,
    # and a fixed cap would then fail allocations at random instead of bounding the document.
    limit = (memory_mb << 20) + _address_space()
    _, hard = resource.getrlimit(resource.RLIMIT_AS)
    if hard != resource.RLIM_INFINITY:
        limit = min(limit, hard)
    resource.setrlimit(resource.RLIMIT_AS, (limit, hard))


_grant = None  # set while a budgeted document is being extracted in this process


def set_time_extender(extend) -> None:
    """Install what ``allow_more_time`` calls in this process (the pool's worker: a message to
    the dispatcher; reindex: a later alarm); None removes it."""
    global _grant
    _grant = extend


def allow_more_time(seconds: float) -> None:
    """Ask the budget of the document being extracted for ``seconds`` more (OCR does, per
    page). A no-op where no budget applies (inline extraction)."""
    if _grant is not None:
        _grant(seconds)


def failed_extraction(kind_hint: str, message: str):
    """The Extraction a document gets when its worker was killed: no text, the reason."""
    from . import Extraction
    return Extraction(text="", content_type=kind_hint, metadata={"error": message}, extract_error=message)


def _worker(conn, memory_mb: int) -> None:
    set_memory_limit(memory_mb)
    while True:
        try:
            task = conn.recv()
        except EOFError:
            return
        except Exception as exc:  # noqa: BLE001 - a task that cannot be unpickled here
            conn.send((False, RuntimeError(f"cannot receive the task: {type(exc).__name__}: {exc}")))
            continue
        if task is None:
            return
        fn, args = task
        set_time_extender(lambda seconds: conn.send(("more", float(seconds))))
        try:
            conn.send((True, fn(*args)))
        except MemoryError:
            # the heap may be fragmented past use: report and leave, the pool starts another
            conn.send((False, BudgetExceeded(f"extraction exceeded the memory budget ({memory_mb} MB, "
                                           "NIANBAO_EXTRACT_MEMORY_MB)")))
            return
        except BaseException as exc:  # noqa: BLE001 - travels back to the caller
            try:
                conn.send((False, exc))
            except Exception:  # unpicklable exception
                conn.send((False, RuntimeError(f"{type(exc).__name__}: {exc}")))
        finally:
            set_time_extender(None)


class _Slot:
    __slots__ = ("proc", "conn", "future", "deadline")

    def __init__(self, proc, conn):
        self.proc, self.conn, self.future, self.deadline = proc, conn, None, 0.0


class BudgetPool:
    """``submit(fn, *args) -> Future`` on ``processes`` workers, each task bounded by
    ``timeout`` seconds and each worker by ``memory_mb`` of address space. A worker that
    overruns, dies (killed by the kernel, segfault) or runs out of memory is replaced; its
    task's future fails with BudgetExceeded. Tasks are never retried."""

    def __init__(self, processes: int, timeout: float = DEFAULT_TIMEOUT,
                 memory_mb: int = DEFAULT_MEMORY_MB, mp_context=None):
        self.processes = max(1, processes)
        self.timeout = timeout
        self.memory_mb = memory_mb
        # spawn by default: never fork a process running a reactor or an open SQLite handle
        self._ctx = mp_context or multiprocessing.get_context("spawn")
        self._tasks: deque = deque()
        self._lock = threading.Lock()
        self._wake_r, self._wake_w = self._ctx.Pipe(duplex=False)
        self._slots = [self._start() for _ in range(self.processes)]
        self._closed = False
        self.killed = 0  # workers killed or lost, for the run summary
        self._thread = threading.Thread(target=self._run, name="nianbao-budget-pool", daemon=True)
        self._thread.start()

    def _start(self) -> _Slot:
        parent, child = self._ctx.Pipe()
        proc = self._ctx.Process(target=_worker, args=(child, self.memory_mb), daemon=True)
        proc.start()
        child.close()
        return _Slot(proc, parent)

    def submit(self, fn, *args) -> Future:
        """Run fn(*args) in a worker; the Future fails with BudgetExceeded past the budget."""
        fut: Future = Future()
        with self._lock:
            if self._closed:
                raise RuntimeError("pool is shut down")
            self._tasks.append((fut, fn, args))
        self._wake_w.send(b"")
        return fut

    def _replace(self, i: int, message: str) -> None:
        slot = self._slots[i]
        if slot.proc.is_alive():
            slot.proc.kill()
        slot.proc.join(5)
        slot.conn.close()
        if slot.future is not None and not slot.future.done():
            slot.future.set_exception(BudgetExceeded(message))
        self.killed += 1
        self._slots[i] = self._start()

    def _run(self) -> None:
        while True:
            with self._lock:
                closed = self._closed
                for slot in self._slots:
                    if slot.future is None and self._tasks:
                        fut, fn, args = self._tasks.popleft()
                        if not fut.set_running_or_notify_cancel():
                            continue
                        slot.future, slot.deadline = fut, time.monotonic() + self.timeout
                        slot.conn.send((fn, args))
            busy = [s for s in self._slots if s.future is not None]
            if closed and not busy and not self._tasks:
                return
            now = time.monotonic()
            wait_for = min((s.deadline - now for s in busy), default=1.0)
            ready = wait([self._wake_r] + [s.conn for s in busy], timeout=max(0.0, min(wait_for, 1.0)))
            if self._wake_r in ready:
                while self._wake_r.poll():
                    self._wake_r.recv_bytes()
            for i, slot in enumerate(list(self._slots)):
                if slot.future is None:
                    continue
                if slot.conn in ready:
                    try:
                        ok, value = slot.conn.recv()
                    except (EOFError, OSError):
                        code = slot.proc.exitcode
                        self._replace(i, f"extraction worker died (exit code {code}); "
                                         f"memory budget {self.memory_mb} MB (NIANBAO_EXTRACT_MEMORY_MB)")
                        continue
                    if ok == "more":  # allow_more_time: the document goes on, with a later deadline
                        slot.deadline += value
                        continue
                    fut, slot.future = slot.future, None
                    if ok:
                        fut.set_result(value)
                    else:
                        fut.set_exception(value)
                        if isinstance(value, BudgetExceeded):  # the worker left after MemoryError
                            self._replace(i, str(value))
                elif time.monotonic() > slot.deadline:
                    self._replace(i, f"extraction exceeded the time budget ({self.timeout:g} s, "
                                     "NIANBAO_EXTRACT_TIMEOUT); worker killed")

    def shutdown(self, wait: bool = True, cancel_futures: bool = False) -> None:
        """Stop the workers (after the queued tasks unless cancel_futures)."""
        with self._lock:
            self._closed = True
            if cancel_futures:
                while self._tasks:
                    self._tasks.popleft()[0].cancel()
        self._wake_w.send(b"")
        if wait:
            self._thread.join()
        for slot in self._slots:
            try:
                slot.conn.send(None)
            except (OSError, ValueError):
                pass
            slot.proc.join(1 if wait else 0)
            if slot.proc.is_alive():
                slot.proc.kill()
