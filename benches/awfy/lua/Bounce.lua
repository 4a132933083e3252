-- Bounce (Are We Fast Yet, micro): 100 balls bounce in a 500x500 box for 50 steps; the number
-- of bounces is checked (1331). The same algorithm as benches/awfy/zx/Bounce.zx.
-- Runs on Lua 5.4 and LuaJIT 2.1: `band` is LuaJIT's bit.band or, on Lua 5.3+, a function
-- around the `&` operator compiled with `load` (5.1's parser rejects `&`).
-- The harness runs the benchmark ITERATIONS times and checks every result.

local ITERATIONS = 60

local band
if _VERSION < 'Lua 5.3' then
    band = (bit32 or require('bit')).band
else
    band = load('return function (a, b) return a & b end')()
end

local abs = math.abs

local Random = {}
Random.__index = Random

function Random.new()
    return setmetatable({seed = 74755}, Random)
end

function Random:next()
    self.seed = band((self.seed * 1309) + 13849, 65535)
    return self.seed
end

local Ball = {}
Ball.__index = Ball

function Ball.new(rng)
    local ball = setmetatable({}, Ball)
    ball.x = rng:next() % 500
    ball.y = rng:next() % 500
    ball.x_vel = (rng:next() % 300) - 150
    ball.y_vel = (rng:next() % 300) - 150
    return ball
end

function Ball:bounce()
    local x_limit, y_limit = 500, 500
    local bounced = false
    self.x = self.x + self.x_vel
    self.y = self.y + self.y_vel
    if self.x > x_limit then
        self.x = x_limit
        self.x_vel = 0 - abs(self.x_vel)
        bounced = true
    end
    if self.x < 0 then
        self.x = 0
        self.x_vel = abs(self.x_vel)
        bounced = true
    end
    if self.y > y_limit then
        self.y = y_limit
        self.y_vel = 0 - abs(self.y_vel)
        bounced = true
    end
    if self.y < 0 then
        self.y = 0
        self.y_vel = abs(self.y_vel)
        bounced = true
    end
    return bounced
end

local Bounce = {}

function Bounce:benchmark()
    local rng = Random.new()
    local ball_count = 100
    local bounces = 0
    local balls = {}
    for i = 1, ball_count do
        balls[i] = Ball.new(rng)
    end
    for _ = 1, 50 do
        for i = 1, #balls do
            if balls[i]:bounce() then
                bounces = bounces + 1
            end
        end
    end
    return bounces
end

function Bounce:verify_result(result)
    return result == 1331
end

local result = 0
local ok = true
for _ = 1, ITERATIONS do
    result = Bounce:benchmark()
    if not Bounce:verify_result(result) then
        ok = false
        break
    end
end
print('Bounce ' .. result .. (ok and ' ok' or ' FAILED'))
