# Storage (Are We Fast Yet, micro): a tree of depth 7 of arrays (four children per inner node,
# 1 to 10 slots per leaf, sizes from AWFY's Random); the number of arrays made is checked
# (5461). The same algorithm as benches/awfy/zx/Storage.zx. Runs ITERATIONS times.

ITERATIONS = 100


class Random:
    def __init__(self):
        self.seed = 74755

    def next(self):
        self.seed = ((self.seed * 1309) + 13849) & 65535
        return self.seed


class Storage:
    def __init__(self):
        self.count = 0

    def benchmark(self):
        rng = Random()
        self.count = 0
        self.build_tree_depth(7, rng)
        return self.count

    def build_tree_depth(self, depth, rng):
        self.count = self.count + 1
        if depth == 1:
            return [None] * (rng.next() % 10 + 1)
        arr = [None] * 4
        for i in range(4):
            arr[i] = self.build_tree_depth(depth - 1, rng)
        return arr

    def verify_result(self, result):
        return result == 5461


def main():
    bench = Storage()
    result = 0
    ok = True
    for _ in range(ITERATIONS):
        result = bench.benchmark()
        if not bench.verify_result(result):
            ok = False
            break
    print("Storage " + str(result) + (" ok" if ok else " FAILED"))


main()
