/**
 * The Lua side of the Redis pacer: one compare-and-set of a key's pace rule state. The rule itself
 * runs in the pacers (the same code as in-process); Redis only keeps each key's state and its
 * version, so every change is made against the latest state or not at all, however many processes
 * share it.
 *
 * KEYS[1]: a hash { v: version, s: state JSON }.
 * ARGV: expected version ('' = no state yet), new version ('' = only read), new state JSON, time
 * to live in ms, channel to publish a wake-up on ('' = none).
 * Returns { written (1/0), current version, state JSON (only when not written and the version is
 * not the expected one), TIME seconds, TIME microseconds }. TIME lets each pacer keep an estimate of
 * the Redis clock, the one clock every process shares.
 */
export const PACE_CAS_LUA = `
local t = redis.call('TIME')
local current = redis.call('HGET', KEYS[1], 'v') or ''
if current == ARGV[1] then
  if ARGV[2] == '' then return { 0, current, false, t[1], t[2] } end
  redis.call('HSET', KEYS[1], 'v', ARGV[2], 's', ARGV[3])
  redis.call('PEXPIRE', KEYS[1], ARGV[4])
  if ARGV[5] ~= '' then redis.call('PUBLISH', ARGV[5], '1') end
  return { 1, ARGV[2], false, t[1], t[2] }
end
return { 0, current, redis.call('HGET', KEYS[1], 's'), t[1], t[2] }
`;
