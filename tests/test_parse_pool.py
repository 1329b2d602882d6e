"""The poller's worker pool: results, worker deaths, errors, cancellation and clean-up.

Runs with both start methods the poller uses: fork (a CLI poll) and a fork server (a poll from a
process that already runs threads, such as the TUI).
"""

from __future__ import annotations

import asyncio
import multiprocessing

import pool_jobs
import pytest

from curator.parse_pool import ParsePool, WorkerCrashed

METHODS = ["fork", "forkserver"]


def _pool(fn, method: str, workers: int = 2) -> ParsePool:  # type: ignore[no-untyped-def]
    return ParsePool(fn, workers, multiprocessing.get_context(method))


async def _gather(pool: ParsePool, *calls: tuple) -> list:  # type: ignore[type-arg]
    await pool.attach()
    try:
        return await asyncio.wait_for(asyncio.gather(*(pool.run(*args) for args in calls),
                                                     return_exceptions=True), 30)
    finally:
        pool.detach()


@pytest.mark.parametrize("method", METHODS)
def test_every_job_gets_its_own_answer_from_every_worker(method: str) -> None:
    pool = _pool(pool_jobs.add, method)
    try:
        assert asyncio.run(_gather(pool, *((i, 1000) for i in range(200)))) == \
            [i + 1000 for i in range(200)]
        pool2 = _pool(pool_jobs.pid_after, method)
        try:
            pids = asyncio.run(_gather(pool2, *((0.02,) for _ in range(12))))
        finally:
            pool2.close()
        assert len(set(pids)) == 2  # both workers took jobs
    finally:
        pool.close()


@pytest.mark.parametrize("method", METHODS)
def test_a_dying_worker_fails_only_its_job_and_the_others_carry_on(method: str) -> None:
    pool = _pool(pool_jobs.die_on, method)
    try:
        results = asyncio.run(_gather(pool, ("a",), ("b",), ("die",), *((f"x{i}",) for i in
                                                                        range(20))))
    finally:
        pool.close()
    assert isinstance(results[2], WorkerCrashed)
    others = [r for i, r in enumerate(results) if i != 2]
    assert others == ["A", "B"] + [f"X{i}" for i in range(20)]


@pytest.mark.parametrize("method", METHODS)
def test_when_every_worker_is_dead_runs_fail_fast(method: str) -> None:
    pool = _pool(pool_jobs.die_on, method, workers=1)

    async def scenario() -> tuple[object, bool, object]:
        await pool.attach()
        try:
            first = await asyncio.gather(pool.run("die"), return_exceptions=True)
            later = await asyncio.gather(pool.run("ok"), return_exceptions=True)
            return first[0], pool.alive, later[0]
        finally:
            pool.detach()

    try:
        first, alive, later = asyncio.run(asyncio.wait_for(scenario(), 30))
    finally:
        pool.close()
    assert isinstance(first, WorkerCrashed) and isinstance(later, WorkerCrashed)
    assert alive is False


def test_an_exception_in_a_job_is_reported_not_fatal() -> None:
    pool = _pool(pool_jobs.fail_on, "fork")
    try:
        results = asyncio.run(_gather(pool, ("ok",), ("fail",), ("fine",)))
    finally:
        pool.close()
    assert results[0] == "ok" and results[2] == "fine"
    assert isinstance(results[1], RuntimeError) and "ValueError: bad input" in str(results[1])


def test_cancelled_callers_and_close_leave_no_process_behind() -> None:
    pool = _pool(pool_jobs.pid_after, "fork")
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
    pool = _pool(pool_jobs.add, "fork", workers=1)
    try:
        with pytest.raises(RuntimeError, match="attach"):
            asyncio.run(pool.run(1, 2))
    finally:
        pool.close()
