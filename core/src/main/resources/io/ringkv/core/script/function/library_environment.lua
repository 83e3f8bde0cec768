-- The environment function libraries run in (FUNCTION LOAD, FCALL), built once in the script state after
-- environment.lua (chunk name "=ringkv", so that the error handler skips its frames as it skips
-- environment.lua's). Redis 7.0 gives libraries one globals table whose lookups go to
-- the "library API" while a library's code runs (only redis.register_function, redis.log and its levels, and
-- redis.REDIS_VERSION[_NUM]) and to the ordinary globals afterwards, when its functions are called; writes are
-- refused either way. Here every library chunk gets the table `env` as its environment, and `loading(true|false)`
-- switches where it reads through. Argument: the Java register_function. Returns {env = env, loading = loading}.
local jregister = ...
local error, tostring, setmetatable = error, tostring, setmetatable
local READONLY = 'Attempt to modify a readonly table'

local function refuse()
  error(READONLY, 2)
end
local function missing(_, name)
  error("Script attempted to access nonexistent global variable '" .. tostring(name) .. "'", 2)
end
-- A read-only view of t whose missing names raise Redis's error, as its luaSetErrorMetatable tables do.
local function readonly(t)
  setmetatable(t, {__index = missing, __metatable = false})
  return setmetatable({}, {__index = t, __newindex = refuse, __metatable = false})
end

local api = redis
local libraryRedis = readonly({
  register_function = jregister,
  log = api.log,
  LOG_DEBUG = api.LOG_DEBUG, LOG_VERBOSE = api.LOG_VERBOSE, LOG_NOTICE = api.LOG_NOTICE,
  LOG_WARNING = api.LOG_WARNING,
  REDIS_VERSION = api.REDIS_VERSION, REDIS_VERSION_NUM = api.REDIS_VERSION_NUM,
})
-- `server` is Valkey's name for the same table (the seed's libraries use it).
local libraryApi = readonly({redis = libraryRedis, server = libraryRedis})
local globals = _G

local meta = {__index = globals, __newindex = refuse, __metatable = false}
local env = setmetatable({}, meta)
local function loading(on)
  meta.__index = on and libraryApi or globals
end
return {env = env, loading = loading}
