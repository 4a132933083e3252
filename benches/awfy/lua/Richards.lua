-- Richards (Are We Fast Yet, macro): Martin Richards' operating-system simulation; the numbers
-- of queued packets (23246) and of holds (9297) are checked. The same algorithm and the same
-- structure as benches/awfy/zx/Richards.zx (whose header explains where it differs from AWFY:
-- no inheritance, tasks dispatched by kind instead of closures); arrays are 1-based here, so
-- a packet's `datum` counts from 1. Runs on Lua 5.4 and LuaJIT 2.1: `band` and `bxor` are
-- LuaJIT's bit library or, on Lua 5.3+, functions around `&` and `~` compiled with `load`.

local ITERATIONS = 1

local band, bxor
if _VERSION < 'Lua 5.3' then
    local bit = bit32 or require('bit')
    band, bxor = bit.band, bit.bxor
else
    band = load('return function (a, b) return a & b end')()
    bxor = load('return function (a, b) return a ~ b end')()
end
local floor = math.floor

local IDLER, WORKER, HANDLER_A, HANDLER_B, DEVICE_A, DEVICE_B = 1, 2, 3, 4, 5, 6
local IDLER_FN, WORKER_FN, HANDLER_FN, DEVICE_FN = 0, 1, 2, 3
local DEVICE_PACKET_KIND, WORK_PACKET_KIND = 0, 1
local DATA_SIZE = 4

local function append_packet(packet, queue_head)
    packet.link = false
    if not queue_head then
        return packet
    end
    local mouse = queue_head
    local link = mouse.link
    while link do
        mouse = link
        link = mouse.link
    end
    mouse.link = packet
    return queue_head
end

local function new_device_record()
    return {pending = false}
end

local HandlerTaskDataRecord = {}
HandlerTaskDataRecord.__index = HandlerTaskDataRecord

function HandlerTaskDataRecord.new()
    return setmetatable({work_in = false, device_in = false}, HandlerTaskDataRecord)
end

function HandlerTaskDataRecord:device_in_add(packet)
    self.device_in = append_packet(packet, self.device_in)
end

function HandlerTaskDataRecord:work_in_add(packet)
    self.work_in = append_packet(packet, self.work_in)
end

local function new_idle_record()
    return {control = 1, count = 10000}
end

local function new_worker_record()
    return {destination = HANDLER_A, count = 0}
end

local function new_packet(link, identity, kind)
    return {link = link, identity = identity, kind = kind, datum = 1, data = {0, 0, 0, 0}}
end

local TaskState = {}
TaskState.__index = TaskState

function TaskState.new()
    return setmetatable({packet_pending_ = false, task_waiting = false, task_holding = false},
                        TaskState)
end

function TaskState:running()
    self.packet_pending_ = false
    self.task_waiting = false
    self.task_holding = false
    return self
end

function TaskState:waiting()
    self.packet_pending_ = false
    self.task_holding = false
    self.task_waiting = true
    return self
end

function TaskState:waiting_with_packet()
    self.task_holding = false
    self.task_waiting = true
    self.packet_pending_ = true
    return self
end

local TaskControlBlock = {}
TaskControlBlock.__index = TaskControlBlock

function TaskControlBlock.new(link, identity, priority, initial_work_queue, initial_state,
                              private_data, kind)
    return setmetatable({
        link = link,
        identity = identity,
        priority = priority,
        input = initial_work_queue,
        handle = private_data,
        fn_kind = kind,
        packet_pending_ = initial_state.packet_pending_,
        task_waiting = initial_state.task_waiting,
        task_holding = initial_state.task_holding,
    }, TaskControlBlock)
end

function TaskControlBlock:packet_pending()
    self.packet_pending_ = true
    self.task_waiting = false
    self.task_holding = false
end

function TaskControlBlock:running()
    self.packet_pending_ = false
    self.task_waiting = false
    self.task_holding = false
end

function TaskControlBlock:is_task_holding_or_waiting()
    return self.task_holding or (not self.packet_pending_ and self.task_waiting)
end

function TaskControlBlock:is_waiting_with_packet()
    return self.packet_pending_ and self.task_waiting and not self.task_holding
end

function TaskControlBlock:add_input_and_check_priority(packet, old_task)
    if not self.input then
        self.input = packet
        self.packet_pending_ = true
        if self.priority > old_task.priority then
            return self
        end
    else
        self.input = append_packet(packet, self.input)
    end
    return old_task
end

function TaskControlBlock:run_task(scheduler)
    local message = false
    if self:is_waiting_with_packet() then
        message = self.input
        self.input = message.link
        if not self.input then
            self:running()
        else
            self:packet_pending()
        end
    end
    local kind = self.fn_kind
    if kind == IDLER_FN then
        return scheduler:idle_fn(message, self.handle)
    elseif kind == WORKER_FN then
        return scheduler:worker_fn(message, self.handle)
    elseif kind == HANDLER_FN then
        return scheduler:handler_fn(message, self.handle)
    end
    return scheduler:device_fn(message, self.handle)
end

local Scheduler = {}
Scheduler.__index = Scheduler

function Scheduler.new()
    return setmetatable({
        task_list = false,
        current_task = false,
        current_task_identity = 0,
        task_table = {false, false, false, false, false, false},
        queue_count = 0,
        hold_count = 0,
    }, Scheduler)
end

function Scheduler:device_fn(packet, rec)
    if not packet then
        local pending = rec.pending
        if not pending then
            return self:wait()
        end
        rec.pending = false
        return self:queue_packet(pending)
    end
    rec.pending = packet
    return self:hold_self()
end

function Scheduler:handler_fn(packet, rec)
    if packet then
        if packet.kind == WORK_PACKET_KIND then
            rec:work_in_add(packet)
        else
            rec:device_in_add(packet)
        end
    end
    local work_packet = rec.work_in
    if not work_packet then
        return self:wait()
    end
    local count = work_packet.datum
    if count > DATA_SIZE then
        rec.work_in = work_packet.link
        return self:queue_packet(work_packet)
    end
    local device_packet = rec.device_in
    if not device_packet then
        return self:wait()
    end
    rec.device_in = device_packet.link
    device_packet.datum = work_packet.data[count]
    work_packet.datum = count + 1
    return self:queue_packet(device_packet)
end

function Scheduler:idle_fn(_, rec)
    rec.count = rec.count - 1
    if rec.count == 0 then
        return self:hold_self()
    end
    if band(rec.control, 1) == 0 then
        rec.control = floor(rec.control / 2)
        return self:release(DEVICE_A)
    end
    rec.control = bxor(floor((rec.control - 1) / 2), 53256)
    return self:release(DEVICE_B)
end

function Scheduler:worker_fn(packet, rec)
    if not packet then
        return self:wait()
    end
    if rec.destination == HANDLER_A then
        rec.destination = HANDLER_B
    else
        rec.destination = HANDLER_A
    end
    packet.identity = rec.destination
    packet.datum = 1
    local data = packet.data
    for i = 1, DATA_SIZE do
        rec.count = rec.count + 1
        if rec.count > 26 then
            rec.count = 1
        end
        data[i] = 65 + rec.count - 1
    end
    return self:queue_packet(packet)
end

function Scheduler:create_task(identity, priority, work, initial_state, rec, kind)
    local tcb = TaskControlBlock.new(self.task_list, identity, priority, work, initial_state,
                                     rec, kind)
    self.task_list = tcb
    self.task_table[identity] = tcb
end

function Scheduler:start()
    self:create_task(IDLER, 0, false, TaskState.new():running(), new_idle_record(), IDLER_FN)
    local queue = new_packet(false, WORKER, WORK_PACKET_KIND)
    queue = new_packet(queue, WORKER, WORK_PACKET_KIND)
    self:create_task(WORKER, 1000, queue, TaskState.new():waiting_with_packet(),
                     new_worker_record(), WORKER_FN)

    queue = new_packet(false, DEVICE_A, DEVICE_PACKET_KIND)
    queue = new_packet(queue, DEVICE_A, DEVICE_PACKET_KIND)
    queue = new_packet(queue, DEVICE_A, DEVICE_PACKET_KIND)
    self:create_task(HANDLER_A, 2000, queue, TaskState.new():waiting_with_packet(),
                     HandlerTaskDataRecord.new(), HANDLER_FN)

    queue = new_packet(false, DEVICE_B, DEVICE_PACKET_KIND)
    queue = new_packet(queue, DEVICE_B, DEVICE_PACKET_KIND)
    queue = new_packet(queue, DEVICE_B, DEVICE_PACKET_KIND)
    self:create_task(HANDLER_B, 3000, queue, TaskState.new():waiting_with_packet(),
                     HandlerTaskDataRecord.new(), HANDLER_FN)

    self:create_task(DEVICE_A, 4000, false, TaskState.new():waiting(), new_device_record(),
                     DEVICE_FN)
    self:create_task(DEVICE_B, 5000, false, TaskState.new():waiting(), new_device_record(),
                     DEVICE_FN)

    self:schedule()
    return self.queue_count == 23246 and self.hold_count == 9297
end

function Scheduler:find_task(identity)
    local task = self.task_table[identity]
    if not task then
        error('find_task failed')
    end
    return task
end

function Scheduler:hold_self()
    self.hold_count = self.hold_count + 1
    local task = self.current_task
    task.task_holding = true
    return task.link
end

function Scheduler:queue_packet(packet)
    local task = self:find_task(packet.identity)
    self.queue_count = self.queue_count + 1
    packet.link = false
    packet.identity = self.current_task_identity
    return task:add_input_and_check_priority(packet, self.current_task)
end

function Scheduler:release(identity)
    local task = self:find_task(identity)
    task.task_holding = false
    if task.priority > self.current_task.priority then
        return task
    end
    return self.current_task
end

function Scheduler:wait()
    local task = self.current_task
    task.task_waiting = true
    return task
end

function Scheduler:schedule()
    self.current_task = self.task_list
    while self.current_task do
        local task = self.current_task
        if task:is_task_holding_or_waiting() then
            self.current_task = task.link
        else
            self.current_task_identity = task.identity
            self.current_task = task:run_task(self)
        end
    end
end

local function benchmark()
    return Scheduler.new():start()
end

local ok = true
for _ = 1, ITERATIONS do
    if not benchmark() then
        ok = false
        break
    end
end
print(ok and 'Richards ok' or 'Richards FAILED')
