"""A Redis lock store that is safe with several Rasa servers (endpoints.scaled.yml).

Rasa Open Source 3.6's `RedisLockStore` keeps each conversation's ticket lock as one JSON value and changes it by
get → modify → set. Two servers issuing tickets for the same conversation at the same moment both read "no lock",
both take ticket 0 and both process a turn at once: the SQL tracker store then keeps only one of the two turns
(measured: 2 of 8 concurrent turns survived). The safe `ConcurrentRedisLockStore` is Rasa Pro only.

This store keeps Rasa's ticket-lock algorithm and value format, and makes every read-modify-write of the lock one
optimistic Redis transaction (WATCH / MULTI / EXEC, retried when another server changed the key in between):
issuing a ticket, dropping expired tickets, finishing a ticket and deleting the lock once nobody waits.
"""

from __future__ import annotations

import json
import logging
import math
import time
from collections.abc import Callable

import redis
from rasa.core.lock import TicketLock
from rasa.core.lock_store import LOCK_LIFETIME, LockError, LockStore
from rasa.utils.endpoints import EndpointConfig

logger = logging.getLogger(__name__)

DEFAULT_KEY_PREFIX = "lock:"


class AtomicRedisLockStore(LockStore):
    """Ticket locks in Redis, each change made atomically. Configured in endpoints.yml as
    `lock_store: {type: scaling.redis_lock_store.AtomicRedisLockStore, url, port, db, password, key_prefix}`."""

    def __init__(self, endpoint_config: EndpointConfig | None = None, **kwargs) -> None:
        settings = dict(endpoint_config.kwargs) if endpoint_config else {}
        settings.update(kwargs)
        host = (endpoint_config.url if endpoint_config else None) or settings.pop("host", None) or "localhost"
        self.red = redis.StrictRedis(
            host=host,
            port=int(settings.get("port") or 6379),
            db=int(settings.get("db") or 1),
            password=settings.get("password") or None,
            ssl=bool(settings.get("use_ssl", False)),
            socket_timeout=float(settings.get("socket_timeout") or 10),
        )
        prefix = settings.get("key_prefix")
        # Same key layout as Rasa's RedisLockStore, so switching between the two needs no migration.
        self.key_prefix = f"{prefix}:{DEFAULT_KEY_PREFIX}" if prefix and str(prefix).isalnum() else DEFAULT_KEY_PREFIX
        super().__init__()

    # ---- plain reads and writes (used by Rasa's read-only steps) ----
    def _key(self, conversation_id: str) -> str:
        return self.key_prefix + conversation_id

    def get_lock(self, conversation_id: str) -> TicketLock | None:
        serialised = self.red.get(self._key(conversation_id))
        return TicketLock.from_dict(json.loads(serialised)) if serialised else None

    def delete_lock(self, conversation_id: str) -> None:
        self._log_deletion(conversation_id, bool(self.red.delete(self._key(conversation_id))))

    def save_lock(self, lock: TicketLock) -> None:
        self.red.set(self._key(lock.conversation_id), lock.dumps())

    # ---- every read-modify-write in one transaction ----
    def _change(self, conversation_id: str, change: Callable[[TicketLock | None], TicketLock | None]) -> None:
        """Applies `change` to the stored lock atomically (re-run if another server wrote the key meanwhile);
        a lock left without tickets is deleted."""
        key = self._key(conversation_id)

        def transaction(pipe: redis.client.Pipeline) -> None:
            serialised = pipe.get(key)
            lock = TicketLock.from_dict(json.loads(serialised)) if serialised else None
            changed = change(lock)
            pipe.multi()
            if changed is None or not changed.is_someone_waiting():
                pipe.delete(key)
            else:
                # Expire the key with its last ticket, so a server that died holding a ticket leaves nothing behind.
                expires = max(ticket.expires for ticket in changed.tickets)
                pipe.set(key, changed.dumps(), px=max(1, math.ceil((expires - time.time()) * 1000)))

        self.red.transaction(transaction, key)

    def issue_ticket(self, conversation_id: str, lock_lifetime: float = LOCK_LIFETIME) -> int:
        logger.debug("Issuing ticket for conversation '%s'.", conversation_id)
        issued: dict[str, int] = {}

        def add_ticket(lock: TicketLock | None) -> TicketLock:
            lock = lock or self.create_lock(conversation_id)
            issued["number"] = lock.issue_ticket(lock_lifetime)
            return lock

        try:
            self._change(conversation_id, add_ticket)
        except redis.RedisError as error:
            raise LockError(f"Error while acquiring lock. Error:\n{error}") from error
        return issued["number"]

    def update_lock(self, conversation_id: str) -> None:
        def drop_expired(lock: TicketLock | None) -> TicketLock | None:
            if lock:
                lock.remove_expired_tickets()
            return lock

        self._change(conversation_id, drop_expired)

    def finish_serving(self, conversation_id: str, ticket_number: int) -> None:
        def remove_ticket(lock: TicketLock | None) -> TicketLock | None:
            if lock:
                lock.remove_ticket_for(ticket_number)
            return lock

        self._change(conversation_id, remove_ticket)

    def cleanup(self, conversation_id: str, ticket_number: int) -> None:
        # finish_serving already deletes the lock in the same transaction when nobody else holds a ticket;
        # Rasa's separate "anyone waiting? then delete" could delete a ticket issued in between.
        self.finish_serving(conversation_id, ticket_number)
