"""The Lua scripts that make the pre-flight check atomic (ARCHITECTURE §7).

Counter hashes `c:<policy>:<period>` hold `spent` and its ledger `ver`sion (written only
from the Postgres ledger, highest version wins, so replays and rebuilds never go back in
time) and `reserved` (the sum of open reservations). A reservation `r:<id>` remembers its
amount and the counters it holds; `rexp` orders them by expiry."""

from __future__ import annotations

# Shared by settle, expire and rebuild: give a reservation back to its counters once.
_RELEASE = """
local function release(res_key, zset, res_id)
  local r = redis.call('HMGET', res_key, 'amount', 'keys')
  if r[1] then
    local amount = tonumber(r[1])
    if amount > 0 and r[2] and r[2] ~= '' then
      for key in string.gmatch(r[2], '[^\\n]+') do
        if redis.call('HINCRBY', key, 'reserved', -amount) < 0 then
          redis.call('HSET', key, 'reserved', 0)
        end
      end
    end
    redis.call('DEL', res_key)
  end
  redis.call('ZREM', zset, res_id)
end
"""

_SET_SPENT = """
local function set_spent(key, spent, ver, ttl)
  local current = tonumber(redis.call('HGET', key, 'ver') or '-1')
  if ver > current then
    redis.call('HSET', key, 'spent', spent, 'ver', ver)
  end
  if redis.call('TTL', key) < ttl then redis.call('EXPIRE', key, ttl) end
end
"""

# KEYS: ready, reservation, expiry zset, counter 1..n
# ARGV: estimate, reservation id, expires_at (epoch s), reservation ttl s,
#       then per counter: limit, hard (1|0), key ttl s
# Returns {1} allowed and reserved, {0, i, spent, reserved} blocked by counter i,
# {-1} while the counters are being rebuilt (fail closed).
CHECK = """
if redis.call('EXISTS', KEYS[1]) == 0 then return {-1} end
local est = tonumber(ARGV[1])
local n = #KEYS - 3
for i = 1, n do
  local v = redis.call('HMGET', KEYS[3 + i], 'spent', 'reserved')
  local spent = tonumber(v[1] or '0')
  local reserved = tonumber(v[2] or '0')
  local base = 4 + 3 * (i - 1)
  local limit = tonumber(ARGV[base + 1])
  if ARGV[base + 2] == '1' and (spent + reserved + est > limit or spent + reserved >= limit) then
    return {0, i, spent, reserved}
  end
end
local keys = {}
for i = 1, n do
  local key = KEYS[3 + i]
  keys[i] = key
  if est > 0 then redis.call('HINCRBY', key, 'reserved', est) end
  local ttl = tonumber(ARGV[4 + 3 * (i - 1) + 3])
  if redis.call('TTL', key) < ttl then redis.call('EXPIRE', key, ttl) end
end
redis.call('HSET', KEYS[2], 'amount', est, 'keys', table.concat(keys, '\\n'))
redis.call('EXPIRE', KEYS[2], tonumber(ARGV[4]) * 2)
redis.call('ZADD', KEYS[3], ARGV[3], ARGV[2])
return {1}
"""

# Settles a chunk of ledger records in one call: the counters, deduplicated to their
# newest ledger version, then every reservation released.
# KEYS: expiry zset, counter 1..n, reservation 1..m
# ARGV: n, then per counter: spent, version, key ttl s; then reservation id 1..m
SETTLE = (
    _RELEASE
    + _SET_SPENT
    + """
local n = tonumber(ARGV[1])
for i = 1, n do
  local base = 1 + 3 * (i - 1)
  set_spent(KEYS[1 + i], tonumber(ARGV[base + 1]), tonumber(ARGV[base + 2]),
            tonumber(ARGV[base + 3]))
end
for j = 1, #KEYS - 1 - n do
  release(KEYS[1 + n + j], KEYS[1], ARGV[1 + 3 * n + j])
end
return n
"""
)

# KEYS: expiry zset; ARGV: now (epoch s), batch size, reservation key prefix
EXPIRE = (
    _RELEASE
    + """
local ids = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[1], 'LIMIT', 0, tonumber(ARGV[2]))
for _, id in ipairs(ids) do release(ARGV[3] .. id, KEYS[1], id) end
return #ids
"""
)

# KEYS: counter 1..n; ARGV: per counter spent, version, key ttl s
LOAD = (
    _SET_SPENT
    + """
for i = 1, #KEYS do
  local base = 3 * (i - 1)
  set_spent(KEYS[i], tonumber(ARGV[base + 1]), tonumber(ARGV[base + 2]), tonumber(ARGV[base + 3]))
end
return #KEYS
"""
)

# KEYS: rebuilding, ready; ARGV: token. Only the rebuild that began after the last loss
# of Redis state may declare it ready: a FLUSHALL during a rebuild erases its token.
FINISH_REBUILD = """
if redis.call('GET', KEYS[1]) == ARGV[1] then
  redis.call('SET', KEYS[2], ARGV[1])
  redis.call('DEL', KEYS[1])
  return 1
end
return 0
"""
