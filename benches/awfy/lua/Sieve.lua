-- Sieve (Are We Fast Yet, micro): the sieve of Eratosthenes over 5000 flags; the number of
-- primes is checked (669). The same algorithm as benches/awfy/zx/Sieve.zx (1-based flags
-- here: flag i stands for the number i). Lua 5.4 and LuaJIT 2.1. Runs ITERATIONS times.

local ITERATIONS = 1500

local Sieve = {}

function Sieve:benchmark()
    local flags = {}
    for i = 1, 5000 do
        flags[i] = true
    end
    return self:sieve(flags, 5000)
end

function Sieve:sieve(flags, size)
    local prime_count = 0
    for i = 2, size do
        if flags[i - 1] then
            prime_count = prime_count + 1
            local k = i + i
            while k <= size do
                flags[k - 1] = false
                k = k + i
            end
        end
    end
    return prime_count
end

function Sieve:verify_result(result)
    return result == 669
end

local result = 0
local ok = true
for _ = 1, ITERATIONS do
    result = Sieve:benchmark()
    if not Sieve:verify_result(result) then
        ok = false
        break
    end
end
print('Sieve ' .. result .. (ok and ' ok' or ' FAILED'))
