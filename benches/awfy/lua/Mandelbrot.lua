-- Mandelbrot (Are We Fast Yet, micro): the Benchmarks Game's Mandelbrot set over a SIZE x SIZE
-- grid, bits packed into bytes and xor-ed into a checksum, checked against AWFY's values
-- (500: 191, 750: 50, 1: 128). The same algorithm as benches/awfy/zx/Mandelbrot.zx.
-- Runs on Lua 5.4 and LuaJIT 2.1: `lshift` and `bxor` are LuaJIT's bit library or, on Lua
-- 5.3+, functions around `<<` and `~` compiled with `load` (5.1's parser rejects them). They
-- run once per pixel, not in the inner loop.

local ITERATIONS = 1
local SIZE = 500

local lshift, bxor
if _VERSION < 'Lua 5.3' then
    local bit = bit32 or require('bit')
    lshift, bxor = bit.lshift, bit.bxor
else
    lshift = load('return function (a, n) return a << n end')()
    bxor = load('return function (a, b) return a ~ b end')()
end

local function mandelbrot(size)
    local sum = 0
    local byte_acc = 0
    local bit_num = 0
    local y = 0
    while y < size do
        local ci = (2.0 * y / size) - 1.0
        local x = 0
        while x < size do
            local zrzr, zizi, zi = 0.0, 0.0, 0.0
            local cr = (2.0 * x / size) - 1.5
            local z = 0
            local not_done = true
            local escape = 0
            while not_done and z < 50 do
                local zr = zrzr - zizi + cr
                zi = 2.0 * zr * zi + ci
                -- keep the squares for the next step
                zrzr = zr * zr
                zizi = zi * zi
                if zrzr + zizi > 4.0 then
                    not_done = false
                    escape = 1
                end
                z = z + 1
            end
            byte_acc = lshift(byte_acc, 1) + escape
            bit_num = bit_num + 1
            if bit_num == 8 then
                sum = bxor(sum, byte_acc)
                byte_acc = 0
                bit_num = 0
            elseif x == size - 1 then
                byte_acc = lshift(byte_acc, 8 - bit_num)
                sum = bxor(sum, byte_acc)
                byte_acc = 0
                bit_num = 0
            end
            x = x + 1
        end
        y = y + 1
    end
    return sum
end

local function verify_result(result, size)
    if size == 500 then
        return result == 191
    elseif size == 750 then
        return result == 50
    elseif size == 1 then
        return result == 128
    end
    print('No verification result for ' .. size .. ' found')
    return false
end

local result = 0
local ok = true
for _ = 1, ITERATIONS do
    result = mandelbrot(SIZE)
    if not verify_result(result, SIZE) then
        ok = false
        break
    end
end
print('Mandelbrot ' .. result .. (ok and ' ok' or ' FAILED'))
