-- Towers (Are We Fast Yet, micro): the towers of Hanoi with 13 disks kept as linked stacks on
-- three piles; the number of moves is checked (8191). The same algorithm as
-- benches/awfy/zx/Towers.zx (piles 1-based here, the third pile is 6 - from - to).
-- Lua 5.4 and LuaJIT 2.1. The harness runs the benchmark ITERATIONS times.

local ITERATIONS = 30

local function new_disk(size)
    return {size = size, next = false}
end

local Towers = {moves_done = 0}

function Towers:benchmark()
    self.piles = {false, false, false}
    self:build_tower_at(1, 13)
    self.moves_done = 0
    self:move_disks(13, 1, 2)
    return self.moves_done
end

function Towers:push_disk(disk, pile)
    local top = self.piles[pile]
    if top and disk.size >= top.size then
        error('Cannot put a big disk on a smaller one')
    end
    disk.next = top
    self.piles[pile] = disk
end

function Towers:pop_disk_from(pile)
    local top = self.piles[pile]
    if not top then
        error('Attempting to remove a disk from an empty pile')
    end
    self.piles[pile] = top.next
    top.next = false
    return top
end

function Towers:move_top_disk(from_pile, to_pile)
    self:push_disk(self:pop_disk_from(from_pile), to_pile)
    self.moves_done = self.moves_done + 1
end

function Towers:build_tower_at(pile, disks)
    for i = disks, 1, -1 do
        self:push_disk(new_disk(i), pile)
    end
end

function Towers:move_disks(disks, from_pile, to_pile)
    if disks == 1 then
        self:move_top_disk(from_pile, to_pile)
    else
        local other_pile = 6 - from_pile - to_pile
        self:move_disks(disks - 1, from_pile, other_pile)
        self:move_top_disk(from_pile, to_pile)
        self:move_disks(disks - 1, other_pile, to_pile)
    end
end

function Towers:verify_result(result)
    return result == 8191
end

local result = 0
local ok = true
for _ = 1, ITERATIONS do
    result = Towers:benchmark()
    if not Towers:verify_result(result) then
        ok = false
        break
    end
end
print('Towers ' .. result .. (ok and ' ok' or ' FAILED'))
