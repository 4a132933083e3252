# Towers (Are We Fast Yet, micro): the towers of Hanoi with 13 disks kept as linked stacks on
# three piles; the number of moves is checked (8191). The same algorithm as
# benches/awfy/zx/Towers.zx. The harness runs the benchmark ITERATIONS times.

ITERATIONS = 30


class TowersDisk:
    def __init__(self, size):
        self.size = size
        self.next = None


class Towers:
    def __init__(self):
        self.piles = []
        self.moves_done = 0

    def benchmark(self):
        self.piles = [None] * 3
        self.build_tower_at(0, 13)
        self.moves_done = 0
        self.move_disks(13, 0, 1)
        return self.moves_done

    def push_disk(self, disk, pile):
        top = self.piles[pile]
        if top is not None and disk.size >= top.size:
            raise RuntimeError("Cannot put a big disk on a smaller one")
        disk.next = top
        self.piles[pile] = disk

    def pop_disk_from(self, pile):
        top = self.piles[pile]
        if top is None:
            raise RuntimeError("Attempting to remove a disk from an empty pile")
        self.piles[pile] = top.next
        top.next = None
        return top

    def move_top_disk(self, from_pile, to_pile):
        self.push_disk(self.pop_disk_from(from_pile), to_pile)
        self.moves_done = self.moves_done + 1

    def build_tower_at(self, pile, disks):
        i = disks
        while i >= 1:
            self.push_disk(TowersDisk(i), pile)
            i = i - 1

    def move_disks(self, disks, from_pile, to_pile):
        if disks == 1:
            self.move_top_disk(from_pile, to_pile)
        else:
            other_pile = 3 - from_pile - to_pile
            self.move_disks(disks - 1, from_pile, other_pile)
            self.move_top_disk(from_pile, to_pile)
            self.move_disks(disks - 1, other_pile, to_pile)

    def verify_result(self, result):
        return result == 8191


def main():
    bench = Towers()
    result = 0
    ok = True
    for _ in range(ITERATIONS):
        result = bench.benchmark()
        if not bench.verify_result(result):
            ok = False
            break
    print("Towers " + str(result) + (" ok" if ok else " FAILED"))


main()
