# Richards (Are We Fast Yet, macro): Martin Richards' operating-system simulation; the numbers
# of queued packets (23246) and of holds (9297) are checked. The same algorithm and the same
# structure as benches/awfy/zx/Richards.zx (whose header explains where it differs from AWFY:
# no inheritance, tasks dispatched by kind instead of closures, 0-based lists).

ITERATIONS = 1

IDLER = 1
WORKER = 2
HANDLER_A = 3
HANDLER_B = 4
DEVICE_A = 5
DEVICE_B = 6

IDLER_FN = 0
WORKER_FN = 1
HANDLER_FN = 2
DEVICE_FN = 3

DEVICE_PACKET_KIND = 0
WORK_PACKET_KIND = 1
DATA_SIZE = 4


def append_packet(packet, queue_head):
    packet.link = None
    if queue_head is None:
        return packet
    mouse = queue_head
    link = mouse.link
    while link is not None:
        mouse = link
        link = mouse.link
    mouse.link = packet
    return queue_head


class DeviceTaskDataRecord:
    def __init__(self):
        self.pending = None


class HandlerTaskDataRecord:
    def __init__(self):
        self.work_in = None
        self.device_in = None

    def device_in_add(self, packet):
        self.device_in = append_packet(packet, self.device_in)

    def work_in_add(self, packet):
        self.work_in = append_packet(packet, self.work_in)


class IdleTaskDataRecord:
    def __init__(self):
        self.control = 1
        self.count = 10000


class WorkerTaskDataRecord:
    def __init__(self):
        self.destination = HANDLER_A
        self.count = 0


class Packet:
    def __init__(self, link, identity, kind):
        self.link = link
        self.identity = identity
        self.kind = kind
        self.datum = 0
        self.data = [0] * DATA_SIZE


class TaskState:
    def __init__(self):
        self.packet_pending_ = False
        self.task_waiting = False
        self.task_holding = False

    def running(self):
        self.packet_pending_ = False
        self.task_waiting = False
        self.task_holding = False
        return self

    def waiting(self):
        self.packet_pending_ = False
        self.task_holding = False
        self.task_waiting = True
        return self

    def waiting_with_packet(self):
        self.task_holding = False
        self.task_waiting = True
        self.packet_pending_ = True
        return self


class TaskControlBlock:
    def __init__(self, link, identity, priority, initial_work_queue, initial_state,
                 private_data, kind):
        self.link = link
        self.identity = identity
        self.priority = priority
        self.input = initial_work_queue
        self.handle = private_data
        self.fn_kind = kind
        self.packet_pending_ = initial_state.packet_pending_
        self.task_waiting = initial_state.task_waiting
        self.task_holding = initial_state.task_holding

    def packet_pending(self):
        self.packet_pending_ = True
        self.task_waiting = False
        self.task_holding = False

    def running(self):
        self.packet_pending_ = False
        self.task_waiting = False
        self.task_holding = False

    def is_task_holding_or_waiting(self):
        return self.task_holding or (not self.packet_pending_ and self.task_waiting)

    def is_waiting_with_packet(self):
        return self.packet_pending_ and self.task_waiting and not self.task_holding

    def add_input_and_check_priority(self, packet, old_task):
        if self.input is None:
            self.input = packet
            self.packet_pending_ = True
            if self.priority > old_task.priority:
                return self
        else:
            self.input = append_packet(packet, self.input)
        return old_task

    def run_task(self, scheduler):
        message = None
        if self.is_waiting_with_packet():
            message = self.input
            self.input = message.link
            if self.input is None:
                self.running()
            else:
                self.packet_pending()
        kind = self.fn_kind
        if kind == IDLER_FN:
            return scheduler.idle_fn(message, self.handle)
        if kind == WORKER_FN:
            return scheduler.worker_fn(message, self.handle)
        if kind == HANDLER_FN:
            return scheduler.handler_fn(message, self.handle)
        return scheduler.device_fn(message, self.handle)


class Scheduler:
    def __init__(self):
        self.task_list = None
        self.current_task = None
        self.current_task_identity = 0
        self.task_table = [None] * 7
        self.queue_count = 0
        self.hold_count = 0

    def device_fn(self, packet, rec):
        if packet is None:
            pending = rec.pending
            if pending is None:
                return self.wait()
            rec.pending = None
            return self.queue_packet(pending)
        rec.pending = packet
        return self.hold_self()

    def handler_fn(self, packet, rec):
        if packet is not None:
            if packet.kind == WORK_PACKET_KIND:
                rec.work_in_add(packet)
            else:
                rec.device_in_add(packet)
        work_packet = rec.work_in
        if work_packet is None:
            return self.wait()
        count = work_packet.datum
        if count >= DATA_SIZE:
            rec.work_in = work_packet.link
            return self.queue_packet(work_packet)
        device_packet = rec.device_in
        if device_packet is None:
            return self.wait()
        rec.device_in = device_packet.link
        device_packet.datum = work_packet.data[count]
        work_packet.datum = count + 1
        return self.queue_packet(device_packet)

    def idle_fn(self, packet, rec):
        rec.count = rec.count - 1
        if rec.count == 0:
            return self.hold_self()
        if (rec.control & 1) == 0:
            rec.control = rec.control // 2
            return self.release(DEVICE_A)
        rec.control = ((rec.control - 1) // 2) ^ 53256
        return self.release(DEVICE_B)

    def worker_fn(self, packet, rec):
        if packet is None:
            return self.wait()
        if rec.destination == HANDLER_A:
            rec.destination = HANDLER_B
        else:
            rec.destination = HANDLER_A
        packet.identity = rec.destination
        packet.datum = 0
        data = packet.data
        for i in range(DATA_SIZE):
            rec.count = rec.count + 1
            if rec.count > 26:
                rec.count = 1
            data[i] = 65 + rec.count - 1
        return self.queue_packet(packet)

    def create_task(self, identity, priority, work, initial_state, rec, kind):
        tcb = TaskControlBlock(self.task_list, identity, priority, work, initial_state, rec, kind)
        self.task_list = tcb
        self.task_table[identity] = tcb

    def start(self):
        self.create_task(IDLER, 0, None, TaskState().running(), IdleTaskDataRecord(), IDLER_FN)
        queue = Packet(None, WORKER, WORK_PACKET_KIND)
        queue = Packet(queue, WORKER, WORK_PACKET_KIND)
        self.create_task(WORKER, 1000, queue, TaskState().waiting_with_packet(),
                         WorkerTaskDataRecord(), WORKER_FN)

        queue = Packet(None, DEVICE_A, DEVICE_PACKET_KIND)
        queue = Packet(queue, DEVICE_A, DEVICE_PACKET_KIND)
        queue = Packet(queue, DEVICE_A, DEVICE_PACKET_KIND)
        self.create_task(HANDLER_A, 2000, queue, TaskState().waiting_with_packet(),
                         HandlerTaskDataRecord(), HANDLER_FN)

        queue = Packet(None, DEVICE_B, DEVICE_PACKET_KIND)
        queue = Packet(queue, DEVICE_B, DEVICE_PACKET_KIND)
        queue = Packet(queue, DEVICE_B, DEVICE_PACKET_KIND)
        self.create_task(HANDLER_B, 3000, queue, TaskState().waiting_with_packet(),
                         HandlerTaskDataRecord(), HANDLER_FN)

        self.create_task(DEVICE_A, 4000, None, TaskState().waiting(), DeviceTaskDataRecord(),
                         DEVICE_FN)
        self.create_task(DEVICE_B, 5000, None, TaskState().waiting(), DeviceTaskDataRecord(),
                         DEVICE_FN)

        self.schedule()
        return self.queue_count == 23246 and self.hold_count == 9297

    def find_task(self, identity):
        task = self.task_table[identity]
        if task is None:
            raise RuntimeError("find_task failed")
        return task

    def hold_self(self):
        self.hold_count = self.hold_count + 1
        task = self.current_task
        task.task_holding = True
        return task.link

    def queue_packet(self, packet):
        task = self.find_task(packet.identity)
        self.queue_count = self.queue_count + 1
        packet.link = None
        packet.identity = self.current_task_identity
        return task.add_input_and_check_priority(packet, self.current_task)

    def release(self, identity):
        task = self.find_task(identity)
        task.task_holding = False
        if task.priority > self.current_task.priority:
            return task
        return self.current_task

    def wait(self):
        task = self.current_task
        task.task_waiting = True
        return task

    def schedule(self):
        self.current_task = self.task_list
        while self.current_task is not None:
            task = self.current_task
            if task.is_task_holding_or_waiting():
                self.current_task = task.link
            else:
                self.current_task_identity = task.identity
                self.current_task = task.run_task(self)


def benchmark():
    return Scheduler().start()


def main():
    ok = True
    for _ in range(ITERATIONS):
        if not benchmark():
            ok = False
            break
    print("Richards ok" if ok else "Richards FAILED")


main()
