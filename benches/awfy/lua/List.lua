-- List (Are We Fast Yet, micro): the Takeuchi-like `tail` over linked lists of lengths 15, 10
-- and 6; the length of the resulting list is checked (10). The same algorithm as
-- benches/awfy/zx/List.zx. Runs on Lua 5.4 and LuaJIT 2.1. Runs ITERATIONS times.

local ITERATIONS = 80

local Element = {}
Element.__index = Element

function Element.new(v)
    return setmetatable({val = v, next = false}, Element)
end

function Element:length()
    if not self.next then
        return 1
    end
    return 1 + self.next:length()
end

local ListBenchmark = {}

function ListBenchmark:benchmark()
    local result = self:tail(self:make_list(15), self:make_list(10), self:make_list(6))
    return result:length()
end

function ListBenchmark:make_list(length)
    if length == 0 then
        return false
    end
    local e = Element.new(length)
    e.next = self:make_list(length - 1)
    return e
end

function ListBenchmark:is_shorter_than(x, y)
    local x_tail, y_tail = x, y
    while y_tail do
        if not x_tail then
            return true
        end
        x_tail = x_tail.next
        y_tail = y_tail.next
    end
    return false
end

function ListBenchmark:tail(x, y, z)
    if self:is_shorter_than(y, x) then
        return self:tail(self:tail(x.next, y, z),
                         self:tail(y.next, z, x),
                         self:tail(z.next, x, y))
    end
    return z
end

function ListBenchmark:verify_result(result)
    return result == 10
end

local result = 0
local ok = true
for _ = 1, ITERATIONS do
    result = ListBenchmark:benchmark()
    if not ListBenchmark:verify_result(result) then
        ok = false
        break
    end
end
print('List ' .. result .. (ok and ' ok' or ' FAILED'))
