-- Permute (Are We Fast Yet, micro): all permutations of a six-element array by recursive
-- swapping; the number of calls of `permute` is checked (8660). The same algorithm as
-- benches/awfy/zx/Permute.zx (arrays 1-based here). Lua 5.4 and LuaJIT 2.1.

local ITERATIONS = 60

local Permute = {count = 0, v = {}}

function Permute:benchmark()
    self.count = 0
    self.v = {0, 0, 0, 0, 0, 0}
    self:permute(6)
    return self.count
end

function Permute:permute(n)
    self.count = self.count + 1
    if n ~= 0 then
        local n1 = n - 1
        self:permute(n1)
        for i = n, 1, -1 do
            self:swap(n, i)
            self:permute(n1)
            self:swap(n, i)
        end
    end
end

function Permute:swap(i, j)
    local v = self.v
    local tmp = v[i]
    v[i] = v[j]
    v[j] = tmp
end

function Permute:verify_result(result)
    return result == 8660
end

local result = 0
local ok = true
for _ = 1, ITERATIONS do
    result = Permute:benchmark()
    if not Permute:verify_result(result) then
        ok = false
        break
    end
end
print('Permute ' .. result .. (ok and ' ok' or ' FAILED'))
