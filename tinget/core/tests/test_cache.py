"""The Redis cache that keeps one client per pool (tinget.core.cache), against the Redis on loopback."""

import socket
import uuid

import pytest

from tinget.core.cache import RedisCache

REDIS = "redis://127.0.0.1:6379/15"


def _redis_answers() -> bool:
    try:
        with socket.create_connection(("127.0.0.1", 6379), timeout=0.5):
            return True
    except OSError:
        return False


pytestmark = pytest.mark.skipif(not _redis_answers(), reason="no Redis on 127.0.0.1:6379")


def test_one_client_serves_every_call_and_the_cache_behaves_as_djangos():
    cache = RedisCache(REDIS, {"KEY_PREFIX": uuid.uuid4().hex})
    assert cache._cache.get_client() is cache._cache.get_client(write=True)
    assert cache.add("hits", 1, 30)
    assert not cache.add("hits", 1, 30)
    assert cache.incr("hits") == 2
    cache.set_many({"a": {"x": 1}, "b": [1, 2]}, 30)
    assert cache.get_many(["a", "b", "missing"]) == {"a": {"x": 1}, "b": [1, 2]}
    cache.delete_many(["hits", "a", "b"])
    assert cache.get("hits") is None
