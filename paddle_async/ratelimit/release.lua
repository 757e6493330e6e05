-- Give places back, and move the releasing process's later places up as far as the window
-- allows. Part of paddle_async's RedisRateLimiter.
--
-- KEYS[1]   the window log; KEYS[2] the end of the pause (see the acquire script)
-- ARGV[1]   sends allowed per window
-- ARGV[2]   the window plus margin, in microseconds
-- ARGV[3]   the member prefix of the releasing process
-- ARGV[4..] the members to give back
--
-- Returns the members of the releasing process whose places moved up: that process wakes
-- their requests at once. Other processes' places stay where they are (their requests are
-- asleep); the acquire script moves them up when they next ask.
if redis.replicate_commands then redis.replicate_commands() end
local log = KEYS[1]
local limit = tonumber(ARGV[1])
local spacing = tonumber(ARGV[2])
local prefix = ARGV[3]
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local paused = tonumber(redis.call('GET', KEYS[2]) or 0)
for i = 4, #ARGV do redis.call('ZREM', log, ARGV[i]) end
local entries = redis.call('ZRANGE', log, 0, -1, 'WITHSCORES')
local names, scores = {}, {}
for i = 1, #entries, 2 do
  names[#names + 1] = entries[i]
  scores[#scores + 1] = tonumber(entries[i + 1])
end
local moved = {}
for k = 1, #scores do
  if scores[k] > now and string.sub(names[k], 1, #prefix) == prefix then
    local start = math.max(now, paused)
    if k > 1 then start = math.max(start, scores[k - 1]) end
    if k > limit then start = math.max(start, scores[k - limit] + spacing) end
    if start < scores[k] then
      scores[k] = start
      redis.call('ZADD', log, start, names[k])
      moved[#moved + 1] = names[k]
    end
  end
end
return moved
