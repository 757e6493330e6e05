-- Pause every sender of a budget shared through Redis (a 429's Retry-After), and drop the
-- places not yet due: their requests queue again behind the pause. Part of paddle_async's
-- RedisRateLimiter.
--
-- KEYS[1]   the window log; KEYS[2] the end of the pause (see the acquire script)
-- ARGV[1]   the pause in microseconds (the caller bounds it)
--
-- Returns the microseconds the pause lasts.
if redis.replicate_commands then redis.replicate_commands() end
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local until_ = now + tonumber(ARGV[1])
local paused = tonumber(redis.call('GET', KEYS[2]) or 0)
if until_ > paused then
  redis.call('SET', KEYS[2], until_, 'PX', math.ceil((until_ - now) / 1000) + 1000)
  paused = until_
end
redis.call('ZREMRANGEBYSCORE', KEYS[1], now + 1, '+inf')
return paused - now
