-- ringkv's script environment, run once when a Lua state is created (chunk name "=ringkv"): Redis 7.0's sandbox
-- built with stock Lua 5.1 means. Arguments are the Java functions and constants LuaRuntime passes in; it returns the
-- real globals table, the error handler and the function that re-arms the interrupt hook.
local jcall, jpcall, jhook, jsha1hex, jlog, jsetresp, jsetrepl, jcmdexists, jrandom, jseed, version, versionNum,
      extraAllowed = ...

local G = _G
local dbg = debug
local type, tostring, tonumber, select, error, setmetatable = type, tostring, tonumber, select, error, setmetatable
local rnext, rpairs, ripairs, rrawget, rrawset, rpcall = next, pairs, ipairs, rawget, rawset, pcall
local rloadstring, rload, floor = loadstring, load, math.floor
local READONLY = 'Attempt to modify a readonly table'

-- Redis's __redis__err__handler: the error as a table {err=, source=, line=} pointing at the script's line. Frames of
-- this chunk (the wrappers around the Java functions) are skipped as Redis skips the C function raising the error.
function __redis__err__handler(err)
  local level = 2
  local i = dbg.getinfo(level, 'nSl')
  if i and i.what == 'C' then
    level = level + 1
    i = dbg.getinfo(level, 'nSl')
  end
  while i and (i.source == '=ringkv' or i.what == 'C' or i.what == 'tail') do
    level = level + 1
    i = dbg.getinfo(level, 'nSl')
  end
  if type(err) ~= 'table' then
    err = {err = 'ERR ' .. tostring(err)}
  end
  if i then
    err['source'] = i.source
    err['line'] = i.currentline
  end
  return err
end
local errorHandler = __redis__err__handler

-- The interrupt hook: every 100000 instructions ask Java whether SCRIPT KILL wants this script stopped. Once killed,
-- it fires on every line so that a pcall catching the error cannot keep the script alive (Redis's luaMaskCountHook).
local hook
hook = function()
  if jhook() then
    dbg.sethook(hook, 'l')
    error({err = 'ERR Script killed by user with SCRIPT KILL...'})
  end
end
local function rearm()
  dbg.sethook(hook, '', 100000)
end
rearm()

-- Redis's luaPushErrorBuff: "-CODE msg" or "msg" to the table {err="CODE msg"}.
local function errorTable(s)
  local code, msg = 'ERR', s
  if s:sub(1, 1) == '-' then
    local space = s:find(' ', 1, true)
    if space then
      code, msg = s:sub(2, space - 1), s:sub(space + 1)
    else
      msg = s:sub(2)
    end
  end
  msg = msg:gsub('^[\r\n]+', ''):gsub('[\r\n]+$', '')
  return {err = code .. ' ' .. msg}
end

local redis = {}
-- Functions that may raise are the Java (C) functions themselves, as in Redis: an error then points at the script's
-- line even when the script tail-calls them.
redis.call = jcall
redis.pcall = jpcall
redis.sha1hex = jsha1hex
redis.error_reply = function(...)
  local s = ...
  if select('#', ...) ~= 1 or type(s) ~= 'string' then
    return {err = 'ERR wrong number or type of arguments'}
  end
  if s:sub(1, 1) ~= '-' then
    s = '-' .. s
  end
  return errorTable(s)
end
redis.status_reply = function(...)
  local s = ...
  if select('#', ...) ~= 1 or type(s) ~= 'string' then
    return {err = 'ERR wrong number or type of arguments'}
  end
  return {ok = s}
end
local function cInt(n)
  n = tonumber(n) or 0
  if n ~= n then return 0 end
  return n >= 0 and floor(n) or -floor(-n)
end
redis.log = jlog
redis.LOG_DEBUG, redis.LOG_VERBOSE, redis.LOG_NOTICE, redis.LOG_WARNING = 0, 1, 2, 3
redis.REDIS_VERSION_NUM = versionNum
redis.REDIS_VERSION = version
redis.setresp = jsetresp
redis.set_repl = jsetrepl
redis.REPL_NONE, redis.REPL_AOF, redis.REPL_SLAVE, redis.REPL_REPLICA, redis.REPL_ALL = 0, 1, 2, 2, 3
redis.replicate_commands = function() return true end
redis.breakpoint = function() return false end
redis.debug = function() end
redis.acl_check_cmd = jcmdexists
G.redis = redis

-- Redis's math.random and math.randomseed: lrand48 (one sequence for the state, as Redis 7.0), the same everywhere.
G.math.random = function(...)
  local r = (jrandom() % 2147483647) / 2147483647
  local argc = select('#', ...)
  if argc == 0 then
    return r
  end
  local function int(i, v)
    local n = tonumber(v)
    if not n then
      error("bad argument #" .. i .. " to 'random' (number expected, got " ..
        (v == nil and 'no value' or type(v)) .. ")", 3)
    end
    return cInt(n)
  end
  if argc == 1 then
    local u = int(1, ...)
    if u < 1 then error("bad argument #1 to 'random' (interval is empty)", 2) end
    return floor(r * u) + 1
  elseif argc == 2 then
    local l, u = ...
    l, u = int(1, l), int(2, u)
    if l > u then error("bad argument #2 to 'random' (interval is empty)", 2) end
    return floor(r * (u - l + 1)) + l
  end
  error('wrong number of arguments', 2)
end
G.math.randomseed = function(seed)
  local n = tonumber(seed)
  if not n then
    error("bad argument #1 to 'randomseed' (number expected, got " ..
      (seed == nil and 'no value' or type(seed)) .. ")", 2)
  end
  jseed(cInt(n))
end

-- Redis's pcall: an error raised as a table (redis.call's) is returned as its message.
local function pcallResult(ok, ...)
  if ok then
    return ok, ...
  end
  local e = ...
  if type(e) == 'table' then
    local m = e.err
    if type(m) == 'string' or type(m) == 'number' then
      e = m
    end
  end
  return false, e
end
G.pcall = function(...)
  if select('#', ...) == 0 then
    return false, 'attempt to call a boolean value'
  end
  return pcallResult(rpcall(...))
end

-- No precompiled chunks: Lua 5.1's loader trusts bytecode, which could escape the sandbox.
G.loadstring = function(s, name)
  if type(s) == 'string' and s:byte(1) == 27 then
    return nil, 'loading binary chunks is not allowed'
  end
  return rloadstring(s, name)
end
G.load = function(f, name)
  local first = true
  return rload(function()
    local piece = f()
    if first and type(piece) == 'string' and piece ~= '' then
      first = false
      if piece:byte(1) == 27 then
        error('loading binary chunks is not allowed')
      end
    end
    return piece
  end, name)
end

-- Only Redis 7.0's globals stay (print, dofile, loadfile, require, io, os, debug, getfenv/setfenv, newproxy and the
-- binding's java table go), then every table reachable from them is made read-only.
local allowed = {
  string = true, cjson = true, bit = true, cmsgpack = true, math = true, table = true, struct = true,
  redis = true, __redis__err__handler = true,
  xpcall = true, tostring = true, setmetatable = true, next = true, assert = true, tonumber = true,
  rawequal = true, collectgarbage = true, getmetatable = true, rawset = true, pcall = true, coroutine = true,
  type = true, _G = true, select = true, unpack = true, gcinfo = true, pairs = true, rawget = true,
  loadstring = true, ipairs = true, _VERSION = true, load = true, error = true,
}
if extraAllowed then
  for name in extraAllowed:gmatch('[^ ]+') do allowed[name] = true end
end
local setfenv = setfenv
local stringMetatable = getmetatable('')
for name in rnext, G do
  if not allowed[name] then
    G[name] = nil
  end
end

-- Read-only tables as proxies: an empty table whose metatable reads through to the real one and refuses writes.
local realOf = setmetatable({}, {__mode = 'k'})
local function refuse()
  error(READONLY, 2)
end
local protect
protect = function(t)
  if realOf[t] then
    return t
  end
  local proxy = {}
  realOf[proxy] = t
  for k, v in rnext, t do
    if type(v) == 'table' and not realOf[v] and v ~= G then
      rrawset(t, k, protect(v))
    end
  end
  setmetatable(proxy, {__index = t, __newindex = refuse, __metatable = false})
  return proxy
end
for name, v in rnext, G do
  if type(v) == 'table' and v ~= G then
    rrawset(G, name, protect(v))
  end
end
G.server = nil
stringMetatable.__index = G.string
stringMetatable.__metatable = protect({__index = G.string})

G.next = function(t, k)
  return rnext(realOf[t] or t, k)
end
G.pairs = function(t)
  local real = realOf[t]
  if real then
    return rnext, real, nil
  end
  return rpairs(t)
end
G.ipairs = function(t)
  return ripairs(realOf[t] or t)
end
G.rawget = function(t, k)
  return rrawget(realOf[t] or t, k)
end
G.rawset = function(t, k, v)
  if realOf[t] then
    error(READONLY, 0)
  end
  return rrawset(t, k, v)
end
G.setmetatable = function(t, mt)
  if realOf[t] or t == G then
    error(READONLY, 0)
  end
  return setmetatable(t, mt)
end
local realTable = realOf[G.table]
for _, name in rpairs({'insert', 'remove', 'sort'}) do
  local f = realTable[name]
  realTable[name] = function(t, ...)
    if realOf[t] then
      error(READONLY, 2)
    end
    return f(t, ...)
  end
end

local proxyG = {}
realOf[proxyG] = G
G._G = proxyG
-- `server` is Valkey's name for the same table.
local redisProxy = rrawget(G, 'redis')
setmetatable(G, {
  __index = function(_, name)
    if name == 'server' then
      return redisProxy
    elseif name == '__jthrowable__' then
      return nil
    end
    error("Script attempted to access nonexistent global variable '" .. tostring(name) .. "'", 2)
  end,
  __newindex = refuse,
  __metatable = false,
})
-- The binding records a Java exception in the global __jthrowable__ around every Java call: dropped here, so that no
-- Java object ever reaches a script.
setmetatable(proxyG, {
  __index = G,
  __newindex = function(_, name)
    if name ~= '__jthrowable__' then
      error(READONLY, 2)
    end
  end,
  __metatable = protect({}),
})
setfenv(0, proxyG)
return G, errorHandler, rearm, protect
