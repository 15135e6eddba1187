"""The lock store of the scaled configuration, on this machine's real Redis: several servers (here: threads, each
with its own store and connection, as separate Rasa processes would have) never hold one conversation at once."""

import asyncio
import threading
import time
import uuid

import pytest
import redis
from rasa.core.lock_store import LockStore
from rasa.utils.endpoints import EndpointConfig

from scaling.redis_lock_store import AtomicRedisLockStore

REDIS_DB = 7


def make_store() -> AtomicRedisLockStore:
    config = EndpointConfig.from_dict({"type": "scaling.redis_lock_store.AtomicRedisLockStore",
                                       "url": "127.0.0.1", "port": "6379", "db": str(REDIS_DB), "key_prefix": "test"})
    return LockStore.create(config)


@pytest.fixture
def red():
    client = redis.Redis(host="127.0.0.1", port=6379, db=REDIS_DB)
    try:
        client.ping()
    except redis.ConnectionError:
        pytest.fail("the scaled configuration's tests need Redis on 127.0.0.1:6379")
    yield client
    client.close()


def run_in_threads(count: int, work) -> list:
    results: list = [None] * count
    barrier = threading.Barrier(count)

    def runner(index: int) -> None:
        store = make_store()
        barrier.wait()  # all start together: the moment the old store lost tickets
        results[index] = work(store, index)

    threads = [threading.Thread(target=runner, args=(index,)) for index in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    return results


def test_endpoint_config_builds_our_store_with_rasas_key_layout(red):
    store = make_store()
    assert isinstance(store, AtomicRedisLockStore)
    conversation = f"c-{uuid.uuid4().hex}"
    ticket = store.issue_ticket(conversation)
    assert red.exists(f"test:lock:{conversation}")
    store.cleanup(conversation, ticket)
    assert not red.exists(f"test:lock:{conversation}"), "a lock nobody waits for is deleted"


def test_tickets_issued_at_the_same_moment_are_all_different(red):
    conversation = f"c-{uuid.uuid4().hex}"
    tickets = run_in_threads(12, lambda store, _: store.issue_ticket(conversation, lock_lifetime=30))
    assert sorted(tickets) == list(range(12))
    stored = make_store().get_lock(conversation)
    assert [ticket.number for ticket in stored.tickets] == list(range(12))
    assert 0 < red.pttl(f"test:lock:{conversation}") <= 30_000, "the key expires with its last ticket"


def test_turns_of_one_conversation_never_overlap(red):
    """Each holder does a slow read-modify-write of a shared counter: any overlap would lose an increment."""
    conversation = f"c-{uuid.uuid4().hex}"
    counter = f"test:counter:{conversation}"
    red.set(counter, 0)
    holding: list[int] = []

    def turn(store: AtomicRedisLockStore, index: int) -> int:
        async def locked() -> int:
            async with store.lock(conversation, lock_lifetime=30, wait_time_in_seconds=0.01):
                holding.append(index)
                overlap = len(holding)
                value = int(red.get(counter))
                await asyncio.sleep(0.02)
                red.set(counter, value + 1)
                holding.remove(index)
                return overlap

        return asyncio.run(locked())

    overlaps = run_in_threads(10, turn)
    assert int(red.get(counter)) == 10
    assert max(overlaps) == 1
    assert not red.exists(f"test:lock:{conversation}")
    red.delete(counter)


def test_an_expired_ticket_no_longer_blocks_the_conversation(red):
    store = make_store()
    conversation = f"c-{uuid.uuid4().hex}"
    store.issue_ticket(conversation, lock_lifetime=0.2)  # a server that died while holding the conversation
    started = time.monotonic()

    async def next_turn() -> None:
        async with store.lock(conversation, lock_lifetime=30, wait_time_in_seconds=0.05):
            pass

    asyncio.run(next_turn())
    assert time.monotonic() - started < 5
    assert not red.exists(f"test:lock:{conversation}")
