-- Queens (Are We Fast Yet, micro): the eight queens problem by backtracking, ten times per
-- benchmark; every solve must succeed. The same algorithm as benches/awfy/zx/Queens.zx
-- (arrays 1-based here: diagonals c + r and c - r + 8). Lua 5.4 and LuaJIT 2.1.

local ITERATIONS = 60

local function filled(n, v)
    local t = {}
    for i = 1, n do
        t[i] = v
    end
    return t
end

local Queens = {}

function Queens:benchmark()
    local result = true
    for _ = 1, 10 do
        result = result and self:queens()
    end
    return result
end

function Queens:queens()
    self.free_rows = filled(8, true)
    self.free_maxs = filled(16, true)
    self.free_mins = filled(16, true)
    self.queen_rows = filled(8, -1)
    return self:place_queen(1)
end

function Queens:place_queen(c)
    for r = 1, 8 do
        if self:get_row_column(r, c) then
            self.queen_rows[r] = c
            self:set_row_column(r, c, false)
            if c == 8 then
                return true
            end
            if self:place_queen(c + 1) then
                return true
            end
            self:set_row_column(r, c, true)
        end
    end
    return false
end

function Queens:get_row_column(r, c)
    return self.free_rows[r] and self.free_maxs[c + r] and self.free_mins[c - r + 8]
end

function Queens:set_row_column(r, c, v)
    self.free_rows[r] = v
    self.free_maxs[c + r] = v
    self.free_mins[c - r + 8] = v
end

function Queens:verify_result(result)
    return result
end

local ok = true
for _ = 1, ITERATIONS do
    if not Queens:verify_result(Queens:benchmark()) then
        ok = false
        break
    end
end
print(ok and 'Queens ok' or 'Queens FAILED')
