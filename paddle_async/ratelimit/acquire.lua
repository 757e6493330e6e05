-- Take, or confirm, one place in a budget shared through Redis: at most ARGV[1] sends in any
-- window of ARGV[2] microseconds. Part of paddle_async's RedisRateLimiter.
--
-- KEYS[1]   the window log: a sorted set of member -> send time (microseconds, Redis's clock)
-- KEYS[2]   the end of the pause every sender keeps to (microseconds): a 429, or a lost log
-- KEYS[3]   the marker: the run_id of the Redis server process that has kept the log
-- ARGV[1]   sends allowed per window
-- ARGV[2]   the window plus margin, in microseconds
-- ARGV[3]   this request's member
-- ARGV[4]   the marker this caller saw last ('' when it has seen none)
-- ARGV[5..] ages (microseconds) of sends this caller made while Redis was unreachable
--
-- Returns {wait, marker, lost, paused}:
--   wait    microseconds to sleep before asking again with the same member; 0: send now
--   marker  the marker now (the caller passes it back as ARGV[4])
--   lost    0; or 1: the log was lost (a restart, failover or flush) and every sender waits
--           until one window has passed since; or 2: this Redis started less than one window
--           ago without a log of this budget (perhaps lost in a restart), and likewise
--   paused  microseconds until the pause every sender keeps to ends (0: none)
if redis.replicate_commands then redis.replicate_commands() end
local log, pause, marker_key = KEYS[1], KEYS[2], KEYS[3]
local limit = tonumber(ARGV[1])
local spacing = tonumber(ARGV[2])
local member = ARGV[3]
local seen = ARGV[4]
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local paused = tonumber(redis.call('GET', pause) or 0)

local function score_at(rank)
  return tonumber(redis.call('ZRANGE', log, rank, rank, 'WITHSCORES')[2])
end

local function expire_after_newest()
  local newest = score_at(-1)
  if newest then
    redis.call('PEXPIRE', log, math.ceil((newest - now + spacing) / 1000) + 1000)
  end
end

-- A log this server process has not kept since it started may miss sends of the last window.
-- `started` is the latest time at which this server can have started. Redis counts its uptime
-- as the difference of two wall-clock times cut to whole seconds (now and its start), which
-- can say 1 s a moment after it started: the start lies before the second after the one
-- that count points to, and before now. (Without INFO: now.)
local run_id, started = 'unknown', now
local info = redis.pcall('INFO', 'server')
if type(info) == 'string' then
  run_id = string.match(info, 'run_id:(%w+)') or run_id
  local seconds = tonumber(string.match(info, 'uptime_in_seconds:(%d+)'))
  if seconds then
    started = math.min(now, (tonumber(t[1]) - seconds + 1) * 1000000)
  end
end
local marker = redis.call('GET', marker_key)
local lost, hold = 0, 0
if marker ~= run_id then
  if now - started < spacing then
    hold = started + spacing  -- what the lost log held was sent before this server started
  elseif marker or seen ~= '' then
    hold = now + spacing  -- another server kept it (a failover), or it was flushed or evicted
  end  -- else: the first use of this budget on a server that has run for over a window
  redis.call('SET', marker_key, run_id)
  if hold > now then
    if marker or seen ~= '' then lost = 1 else lost = 2 end
    if hold > paused then
      redis.call('SET', pause, hold, 'PX', math.ceil((hold - now) / 1000) + 1000)
      paused = hold
    end
  end
end
local held = math.max(0, paused - now)

for i = 5, #ARGV do
  redis.call('ZADD', log, now - tonumber(ARGV[i]), member .. ':' .. i)
end

local mine = redis.call('ZSCORE', log, member)
if mine then
  mine = tonumber(mine)
  if paused > now and mine < paused then
    -- A pause began after this place was taken: queue again behind it (below).
    redis.call('ZREM', log, member)
  elseif mine > now then
    -- Still waiting: move up as far as the places before it allow.
    local rank = redis.call('ZRANK', log, member)
    local start = math.max(now, paused)
    if rank > 0 then start = math.max(start, score_at(rank - 1)) end
    if rank >= limit then start = math.max(start, score_at(rank - limit) + spacing) end
    if start < mine then
      redis.call('ZADD', log, start, member)
      mine = start
    end
    return {mine - now, run_id, lost, held}
  elseif mine == now then
    return {0, run_id, lost, held}
  elseif now - mine < spacing then
    -- Late (a busy client): record the real send time. Places given out meanwhile may now
    -- rank before it, and the places `limit` after the ones that moved may be too close:
    -- move those later, and so on down the chain. They are all still to come (at least one
    -- window after this one's planned start), and their requests ask again before they go.
    local first = redis.call('ZRANK', log, member) + limit
    redis.call('ZADD', log, now, member)
    local last = redis.call('ZRANK', log, member) + limit
    while true do
      local places = redis.call('ZRANGE', log, first, last, 'WITHSCORES')
      if #places == 0 then break end
      local earlier = redis.call(
        'ZRANGE', log, first - limit, first - limit + #places / 2 - 1, 'WITHSCORES')
      local moved = false
      for i = 2, #places, 2 do
        local earliest = tonumber(earlier[i]) + spacing
        if tonumber(places[i]) < earliest then
          redis.call('ZADD', log, earliest, places[i - 1])
          moved = true
        end
      end
      if not moved then break end
      first, last = first + limit, last + limit
    end
    expire_after_newest()
    return {0, run_id, lost, held}
  else
    -- More than a window late: its place is long gone. Queue again (below).
    redis.call('ZREM', log, member)
  end
end

redis.call('ZREMRANGEBYSCORE', log, '-inf', now - spacing)
local start = math.max(now, paused)
if redis.call('ZCARD', log) >= limit then
  start = math.max(start, score_at(-limit) + spacing)
end
redis.call('ZADD', log, start, member)
expire_after_newest()
return {start - now, run_id, lost, held}
