/**
 * The Lua side of the Redis pacer. Each script runs atomically in Redis and reads the clock with
 * `TIME`, so every process shares one clock and one view of the recent call starts.
 *
 * Keys (one set per API): KEYS[1] sorted set of call starts (score = start ms), KEYS[2] the
 * cooldown key (its PTTL is the wait), KEYS[3] a hash with the learned quota (`calls`, `intervalMs`:
 * the pace of the quota the server named, spread evenly, so 10 an hour is stored as 1 per 360000 ms).
 */

/**
 * Check and reserve one call slot.
 * KEYS[4]: sorted set of calls in flight (score = grant ms), used in hold mode.
 * ARGV: configured calls (-1 = none), configured intervalMs, marginMs, member id, holdMs (0 = no
 * hold mode), in-flight poll ms.
 * Returns { waitMs, reason (0 granted, 1 quota, 2 cooldown), callsPerMinute*1000 (-1 = unpaced), nowMs }.
 *
 * A start at `s` occupies the closed span [s, s + interval + margin]; a new start is granted only
 * when fewer than `calls` starts lie in that span ending now, for every rule (the configured
 * quota and the learned one), so no closed interval of `intervalMs` ever holds more than `calls`.
 * In hold mode a granted call counts as starting "now" until it is released (then its score is
 * the release time, an upper bound of when the server saw it), or until `holdMs` after its grant.
 */
export const ACQUIRE_LUA = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local cooldown = redis.call('PTTL', KEYS[2])
local margin = tonumber(ARGV[3])
local holdMs = tonumber(ARGV[5])
local rules = {}
local calls = tonumber(ARGV[1])
if calls > 0 then rules[#rules + 1] = { calls, tonumber(ARGV[2]) } end
local learned = redis.call('HMGET', KEYS[3], 'calls', 'intervalMs')
if learned[1] and learned[2] then rules[#rules + 1] = { tonumber(learned[1]), tonumber(learned[2]) } end
local perMinute = -1
local longest = 60000
for _, r in ipairs(rules) do
  local pm = math.floor(r[1] * 60000000 / r[2])
  if perMinute < 0 or pm < perMinute then perMinute = pm end
  if r[2] > longest then longest = r[2] end
end
if cooldown > 0 then return { cooldown, 2, perMinute, now } end
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', '(' .. (now - longest - margin))
local inflight = 0
if holdMs > 0 then
  local stale = redis.call('ZRANGEBYSCORE', KEYS[4], '-inf', now - holdMs, 'WITHSCORES')
  for i = 1, #stale, 2 do
    redis.call('ZADD', KEYS[1], tonumber(stale[i + 1]) + holdMs, stale[i])
    redis.call('ZREM', KEYS[4], stale[i])
  end
  inflight = redis.call('ZCARD', KEYS[4])
end
local wait = 0
for _, r in ipairs(rules) do
  local span = r[2] + margin
  local n = redis.call('ZCOUNT', KEYS[1], now - span, '+inf')
  if inflight >= r[1] then
    local w = tonumber(ARGV[6])
    if w > wait then wait = w end
  elseif n + inflight >= r[1] then
    local blocking = redis.call('ZRANGEBYSCORE', KEYS[1], now - span, '+inf', 'WITHSCORES', 'LIMIT', n + inflight - r[1], 1)
    local w = tonumber(blocking[2]) + span + 1 - now
    if w > wait then wait = w end
  end
end
if wait > 0 then return { wait, 1, perMinute, now } end
if holdMs > 0 and #rules > 0 then
  redis.call('ZADD', KEYS[4], now, ARGV[4])
  redis.call('PEXPIRE', KEYS[4], holdMs + longest + margin + 1000)
else
  redis.call('ZADD', KEYS[1], now, ARGV[4])
end
redis.call('PEXPIRE', KEYS[1], longest + margin + holdMs + 1000)
return { 0, 0, perMinute, now }
`;

/**
 * A call granted in hold mode has ended: its start now counts at the release time.
 * KEYS[1] starts, KEYS[4] in flight; ARGV: member id. Returns 1 when it was still in flight.
 */
export const RELEASE_LUA = `
if redis.call('ZREM', KEYS[4], ARGV[1]) == 0 then return 0 end
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
redis.call('ZADD', KEYS[1], now, ARGV[1])
return 1
`;

/**
 * Record a rate-limit refusal. ARGV: cooldownMs, named quota's paced calls (-1 = not named), its
 * intervalMs, adaptive (1/0). The cooldown is only ever lengthened. A named quota (already spread
 * evenly by the caller: calls per intervalMs) replaces a looser learned one; in adaptive mode
 * without a named quota the learned quota becomes 80% of the starts seen in the last minute.
 * Returns the learned calls per minute * 1000 (-1 = none).
 */
export const RATE_LIMITED_LUA = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local cooldownMs = tonumber(ARGV[1])
if cooldownMs > 0 and redis.call('PTTL', KEYS[2]) < cooldownMs then
  redis.call('SET', KEYS[2], '1', 'PX', cooldownMs)
end
local calls = tonumber(ARGV[2])
local interval = tonumber(ARGV[3])
if calls <= 0 and ARGV[4] == '1' then
  local seen = redis.call('ZCOUNT', KEYS[1], now - 60000, '+inf')
  calls = math.max(1, math.floor(seen * 0.8))
  interval = 60000
end
local current = redis.call('HMGET', KEYS[3], 'calls', 'intervalMs')
local currentPm = -1
if current[1] and current[2] then currentPm = math.floor(tonumber(current[1]) * 60000000 / tonumber(current[2])) end
if calls > 0 then
  local pm = math.floor(calls * 60000000 / interval)
  if currentPm < 0 or pm < currentPm then
    redis.call('HSET', KEYS[3], 'calls', calls, 'intervalMs', interval)
    currentPm = pm
  end
end
if currentPm > 0 then
  local kept = redis.call('HGET', KEYS[3], 'intervalMs')
  redis.call('PEXPIRE', KEYS[3], math.max(86400000, 2 * tonumber(kept)))
end
return currentPm
`;
