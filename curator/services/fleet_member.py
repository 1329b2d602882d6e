"""One poller of a fleet sharing a server database: registered, claiming hosts, renewing leases.

On a SQLite file one poller runs at a time (the lock file beside it). On a server, any number
may: each registers in the `poller` table, claims a few hosts at a time with their due feeds
(see store.leases), and renews its leases from a background thread. Killed, it stops renewing;
once its leases expire, the others take its hosts, and its stored work stays stored.
"""

from __future__ import annotations

import os
import secrets
import socket
import threading
from collections import OrderedDict
from datetime import UTC, datetime, timedelta
from typing import Any

from curator.store import feed_rows, leases
from curator.store.engine import Database
from curator.urls import host_of

CLAIM_AT_LEAST = 32  # feeds per claim: hosts are claimed whole until this many are due


class FleetMember:
    """This process as one poller of the fleet, for one run (or one `--watch` daemon)."""

    def __init__(self, db: Database, kind: str, lease_seconds: float) -> None:
        self.db = db
        self.kind = kind
        self.lease = timedelta(seconds=lease_seconds)
        self.id = f"{socket.gethostname()}:{os.getpid()}:{secrets.token_hex(4)}"
        self._given: set[int] = set()  # feeds handed to this run (in flight until stored)
        # the due list as last read, by host, less what was claimed since: read once, not
        # once per claim (a claim takes ~32 feeds; at 10,000 due feeds that was 300 full reads)
        self._pending: OrderedDict[str, list[tuple[Any, ...]]] = OrderedDict()
        self._stop = threading.Event()
        self._renewer: threading.Thread | None = None

    def join(self) -> FleetMember:
        now = datetime.now(UTC)
        with self.db.write(queued=False) as tx:
            leases.forget_dead(tx, now - 10 * self.lease)
            leases.register(tx, self.id, socket.gethostname(), os.getpid(), self.kind, now)
        self._renewer = threading.Thread(target=self._renew_forever, daemon=True,
                                         name="curator-lease")
        self._renewer.start()
        return self

    def leave(self) -> None:
        """Free this poller's hosts at once; with the server out of reach they are freed when
        their leases expire instead."""
        from curator.store.db_errors import is_database_error

        self._stop.set()
        if self._renewer is not None:
            self._renewer.join(timeout=10)
        try:
            with self.db.write(queued=False) as tx:
                leases.unregister(tx, self.id)
        except Exception as exc:
            if not is_database_error(exc):
                raise

    def new_pass(self) -> None:
        """A `--watch` daemon's next pass: feeds stored by the last one may be due again."""
        self._given.clear()
        self._pending.clear()

    def _renew_forever(self) -> None:
        every = max(0.2, self.lease.total_seconds() / 3)
        while not self._stop.wait(every):
            try:
                now = datetime.now(UTC)
                with self.db.write(queued=False) as tx:
                    if not leases.renew(tx, self.id, now, now + self.lease):
                        # judged dead (a suspended laptop, a long network cut): say we are here
                        leases.register(tx, self.id, socket.gethostname(), os.getpid(),
                                        self.kind, now)
            except Exception:  # noqa: BLE001 - a server blip: the next renewal tries again
                continue

    def claim(self, force: bool, run_started: datetime,
              want: int = CLAIM_AT_LEAST) -> tuple[list[tuple[Any, ...]], dict[str, float]]:
        """Due feeds of hosts newly leased to this poller (at least `want` where there are so
        many), with the Retry-After pauses of those hosts; ([], {}) when nothing is left that no
        other poller holds.

        Hosts are taken from the due list as read at the start (or when it ran out); the list is
        read again only when it is empty, which also finds the hosts of a poller that died."""
        reread = not self._pending
        while True:
            now = datetime.now(UTC)
            with self.db.read() as tx:
                if reread:
                    self._pending = self._due_by_host(tx, force, run_started, now)
                held = leases.held_by_others(tx, self.id, now)
            for host in held:
                self._pending.pop(host, None)
            found = self._claim_pending(force, run_started, want)
            if found[0] or reread:
                return found
            reread = True  # what was left is all taken: look at the list as it is now

    def _claim_pending(self, force: bool, run_started: datetime, want: int
                       ) -> tuple[list[tuple[Any, ...]], dict[str, float]]:
        while self._pending:
            wanted: list[str] = []
            count = 0
            for host, rows in self._pending.items():
                wanted.append(host)
                count += len(rows)
                if count >= want:
                    break
            ids = [row[0] for host in wanted for row in self._pending.pop(host)]
            now = datetime.now(UTC)
            with self.db.write(queued=False) as tx:
                won = leases.claim_hosts(tx, self.id, wanted, now, now + self.lease)
            if won:
                return self._fresh_due(set(won), ids, force, run_started)
        return [], {}

    def _due_by_host(self, tx: Any, force: bool, run_started: datetime,
                     now: datetime) -> OrderedDict[str, list[tuple[Any, ...]]]:
        by_host: OrderedDict[str, list[tuple[Any, ...]]] = OrderedDict()
        for row in feed_rows.due_rows(tx, force, None, now,
                                      polled_before=run_started if force else None):
            if row[0] not in self._given:
                by_host.setdefault(host_of(row[1]), []).append(row)
        return by_host

    def _fresh_due(self, hosts: set[str], ids: list[int], force: bool, run_started: datetime
                   ) -> tuple[list[tuple[Any, ...]], dict[str, float]]:
        """Read the won hosts' feeds again: a poller that held these hosts until a moment ago
        has stored its work, and what it stored is no longer due."""
        now = datetime.now(UTC)
        with self.db.read() as tx:
            rows = [row for row in feed_rows.due_rows(
                        tx, force, None, now, polled_before=run_started if force else None,
                        ids=ids)
                    if row[0] not in self._given and host_of(row[1]) in hosts]
            pauses = {host: seconds for host, seconds in feed_rows.host_pauses(tx, now).items()
                      if host in hosts}
        self._given.update(row[0] for row in rows)
        return rows, pauses
