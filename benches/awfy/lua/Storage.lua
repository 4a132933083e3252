-- Storage (Are We Fast Yet, micro): a tree of depth 7 of arrays (four children per inner node,
-- 1 to 10 slots per leaf, sizes from AWFY's Random); the number of arrays made is checked
-- (5461). The same algorithm as benches/awfy/zx/Storage.zx. Lua has no array of n empty
-- slots: a leaf of n slots is a table filled with n `false`s (AWFY's Lua only records n;
-- this one allocates them, as Zexus, Python and Java do). Lua 5.4 and LuaJIT 2.1: `band` is
-- LuaJIT's bit.band or, on Lua 5.3+, a function around `&` compiled with `load`.

local ITERATIONS = 100

local band
if _VERSION < 'Lua 5.3' then
    band = (bit32 or require('bit')).band
else
    band = load('return function (a, b) return a & b end')()
end

local Random = {}
Random.__index = Random

function Random.new()
    return setmetatable({seed = 74755}, Random)
end

function Random:next()
    self.seed = band((self.seed * 1309) + 13849, 65535)
    return self.seed
end

local function new_array(n)
    local arr = {}
    for i = 1, n do
        arr[i] = false
    end
    return arr
end

local Storage = {count = 0}

function Storage:benchmark()
    local rng = Random.new()
    self.count = 0
    self:build_tree_depth(7, rng)
    return self.count
end

function Storage:build_tree_depth(depth, rng)
    self.count = self.count + 1
    if depth == 1 then
        return new_array(rng:next() % 10 + 1)
    end
    local arr = new_array(4)
    for i = 1, 4 do
        arr[i] = self:build_tree_depth(depth - 1, rng)
    end
    return arr
end

function Storage:verify_result(result)
    return result == 5461
end

local result = 0
local ok = true
for _ = 1, ITERATIONS do
    result = Storage:benchmark()
    if not Storage:verify_result(result) then
        ok = false
        break
    end
end
print('Storage ' .. result .. (ok and ' ok' or ' FAILED'))
