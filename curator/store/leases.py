"""Several pollers on one server database: who is at work, and which hosts each one fetches.

A host is leased to one poller at a time (`host_lease`), so the per-host connection limit and
the order of a host's requests hold for the whole fleet, and no feed is fetched by two pollers.
A lease lasts until `until`; its poller renews it while it runs (and its `poller` row with it),
so a poller killed with -9 stops renewing and the others take its hosts once the lease expires.
Claims are the classic queue pattern: `FOR UPDATE SKIP LOCKED` on the hosts' rows, so two
claiming pollers never wait for each other and never both win a host.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import delete, or_, text, update
from sqlalchemy import select as core_select

from curator.store.engine import Tx
from curator.store.tables import HOST_LEASES, POLLERS


def register(tx: Tx, poller: str, machine: str, pid: int, kind: str, now: datetime) -> None:
    tx.connection().execute(POLLERS.insert().values(id=poller, machine=machine, pid=pid,
                                                    kind=kind, started_at=now, seen_at=now))


def renew(tx: Tx, poller: str, now: datetime, until: datetime) -> bool:
    """Say this poller is alive and extend its host leases; False if its row is gone (another
    poller judged it dead and cleared it: its hosts may be someone else's now)."""
    conn = tx.connection()
    alive = conn.execute(update(POLLERS).where(POLLERS.c.id == poller).values(seen_at=now))
    conn.execute(update(HOST_LEASES).where(HOST_LEASES.c.owner == poller).values(until=until))
    return bool(alive.rowcount)


def unregister(tx: Tx, poller: str) -> None:
    """This poller is done: its hosts are free at once."""
    conn = tx.connection()
    conn.execute(update(HOST_LEASES).where(HOST_LEASES.c.owner == poller)
                 .values(owner=None, until=None))
    conn.execute(delete(POLLERS).where(POLLERS.c.id == poller))


def live_pollers(tx: Tx, seen_since: datetime) -> list[tuple[str, str, int, str]]:
    """(id, machine, pid, kind) of the pollers that renewed since `seen_since`."""
    return [tuple(row) for row in tx.connection().execute(  # type: ignore[misc]
        core_select(POLLERS.c.id, POLLERS.c.machine, POLLERS.c.pid, POLLERS.c.kind)
        .where(POLLERS.c.seen_at > seen_since).order_by(POLLERS.c.started_at))]


def forget_dead(tx: Tx, seen_before: datetime) -> None:
    """Drop the rows of pollers that stopped renewing long ago (killed, or their machine lost)."""
    tx.connection().execute(delete(POLLERS).where(POLLERS.c.seen_at < seen_before))


def held_by_others(tx: Tx, poller: str, now: datetime) -> set[str]:
    """Hosts another poller holds a live lease on."""
    return {host for (host,) in tx.connection().execute(
        core_select(HOST_LEASES.c.host).where(HOST_LEASES.c.owner.is_not(None),
                                              HOST_LEASES.c.owner != poller,
                                              HOST_LEASES.c.until > now))}


def claim_hosts(tx: Tx, poller: str, hosts: Sequence[str], now: datetime,
                until: datetime) -> list[str]:
    """Lease to `poller` those of `hosts` that are free, expired or already its own; return them.

    Call in a transaction of its own (not queued behind other writers): the rows are made if
    new, then locked with SKIP LOCKED, so a host another poller is claiming at this moment is
    simply not won here.
    """
    if not hosts:
        return []
    conn = tx.connection()
    conn.execute(text("INSERT INTO host_lease (host) VALUES (:host) ON CONFLICT (host) DO NOTHING"),
                 [{"host": host} for host in hosts])
    free = conn.execute(
        core_select(HOST_LEASES.c.host)
        .where(HOST_LEASES.c.host.in_(list(hosts)),
               or_(HOST_LEASES.c.owner.is_(None), HOST_LEASES.c.owner == poller,
                   HOST_LEASES.c.until.is_(None), HOST_LEASES.c.until <= now))
        .order_by(HOST_LEASES.c.host)
        .with_for_update(skip_locked=True)).scalars().all()
    if free:
        conn.execute(update(HOST_LEASES).where(HOST_LEASES.c.host.in_(list(free)))
                     .values(owner=poller, until=until))
    return list(free)
