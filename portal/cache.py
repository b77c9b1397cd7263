"""Django's Redis cache, with one Redis client object per connection pool instead of one per operation.

Django's RedisCacheClient.get_client() builds a new redis.Redis for every get and set, and redis-py
fills a table of some 170 response callbacks for each: about 0.15 ms of CPU per cache operation, more
than the round trip itself. A signed-in page reads the cache four or five times (session, second-factor
device, security policy, unread count, fragments). redis.Redis is thread-safe and takes its connections
from the pool (which also handles a fork), so one client per pool serves every operation."""

from django.core.cache.backends.redis import RedisCache as DjangoRedisCache
from django.core.cache.backends.redis import RedisCacheClient


class _ReusingClient(RedisCacheClient):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients = {}

    def get_client(self, key=None, *, write=False):
        pool = self._get_connection_pool(write)
        client = self._clients.get(id(pool))
        if client is None:
            client = self._clients[id(pool)] = self._client(connection_pool=pool)
        return client


class RedisCache(DjangoRedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = _ReusingClient
