"""The poller's worker pool: results, worker deaths, errors, cancellation and clean-up.

Runs with both start methods the poller uses: fork (a CLI poll) and a fork server (a poll from a
process that already runs threads, such as the TUI).
"""

from __future__ import annotations

import asyncio
import multiprocessing
from contextlib import closing

import pool_jobs
import pytest

from curator.poll.workers import ParsePool, WorkerCrashed

METHODS = ["fork", "forkserver"]


def _pool(fn, method: str, workers: int = 2) -> closing[ParsePool]:  # type: ignore[no-untyped-def]
    """A pool that `with` closes (kills and reaps its workers) whatever the test did."""
    return closing(ParsePool(fn, workers, multiprocessing.get_context(method)))


async def _gather(pool: ParsePool, *calls: tuple) -> list:  # type: ignore[type-arg]
    await pool.attach()
    try:
        return await asyncio.wait_for(asyncio.gather(*(pool.run(*args) for args in calls),
                                                     return_exceptions=True), 30)
    finally:
        pool.detach()


@pytest.mark.parametrize("method", METHODS)
def test_every_job_gets_its_own_answer_from_every_worker(method: str) -> None:
    with _pool(pool_jobs.add, method) as pool:
        assert asyncio.run(_gather(pool, *((i, 1000) for i in range(200)))) == \
            [i + 1000 for i in range(200)]
    with _pool(pool_jobs.pid_after, method) as pool:
        pids = asyncio.run(_gather(pool, *((0.02,) for _ in range(12))))
    assert len(set(pids)) == 2  # both workers took jobs


@pytest.mark.parametrize("method", METHODS)
def test_a_dying_worker_fails_only_its_job_and_the_others_carry_on(method: str) -> None:
    with _pool(pool_jobs.die_on, method) as pool:
        results = asyncio.run(_gather(pool, ("a",), ("b",), ("die",),
                                      *((f"x{i}",) for i in range(20))))
    assert isinstance(results[2], WorkerCrashed)
    others = [r for i, r in enumerate(results) if i != 2]
    assert others == ["A", "B"] + [f"X{i}" for i in range(20)]


@pytest.mark.parametrize("method", METHODS)
def test_when_every_worker_is_dead_runs_fail_fast(method: str) -> None:
    async def scenario(pool: ParsePool) -> tuple[object, bool, object]:
        await pool.attach()
        try:
            first = await asyncio.gather(pool.run("die"), return_exceptions=True)
            later = await asyncio.gather(pool.run("ok"), return_exceptions=True)
            return first[0], pool.alive, later[0]
        finally:
            pool.detach()

    with _pool(pool_jobs.die_on, method, workers=1) as pool:
        first, alive, later = asyncio.run(asyncio.wait_for(scenario(pool), 30))
    assert isinstance(first, WorkerCrashed) and isinstance(later, WorkerCrashed)
    assert alive is False


def test_an_exception_in_a_job_is_reported_not_fatal() -> None:
    with _pool(pool_jobs.fail_on, "fork") as pool:
        results = asyncio.run(_gather(pool, ("ok",), ("fail",), ("fine",)))
    assert results[0] == "ok" and results[2] == "fine"
    assert isinstance(results[1], RuntimeError) and "ValueError: bad input" in str(results[1])


def test_cancelled_callers_and_close_leave_no_process_behind() -> None:
    pool = ParsePool(pool_jobs.pid_after, 2, multiprocessing.get_context("fork"))
    processes = [w.process for w in pool._workers]

    async def scenario() -> None:
        await pool.attach()
        tasks = [asyncio.ensure_future(pool.run(5.0)) for _ in range(6)]
        await asyncio.sleep(0.3)
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        pool.detach()

    asyncio.run(scenario())
    pool.close()  # the workers are still sleeping on their jobs: they are killed
    pool.close()  # and a second close is harmless
    assert all(not p.is_alive() and p.exitcode is not None for p in processes)


def test_run_before_attach_is_a_programming_error() -> None:
    with _pool(pool_jobs.add, "fork", workers=1) as pool, \
            pytest.raises(RuntimeError, match="attach"):
        asyncio.run(pool.run(1, 2))
