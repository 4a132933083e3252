# Queens (Are We Fast Yet, micro): the eight queens problem by backtracking, ten times per
# benchmark; every solve must succeed. The same algorithm as benches/awfy/zx/Queens.zx.
# The harness runs the benchmark ITERATIONS times.

ITERATIONS = 60


class Queens:
    def __init__(self):
        self.free_rows = []
        self.free_maxs = []
        self.free_mins = []
        self.queen_rows = []

    def benchmark(self):
        result = True
        for _ in range(10):
            result = result and self.queens()
        return result

    def queens(self):
        self.free_rows = [True] * 8
        self.free_maxs = [True] * 16
        self.free_mins = [True] * 16
        self.queen_rows = [-1] * 8
        return self.place_queen(0)

    def place_queen(self, c):
        for r in range(8):
            if self.get_row_column(r, c):
                self.queen_rows[r] = c
                self.set_row_column(r, c, False)
                if c == 7:
                    return True
                if self.place_queen(c + 1):
                    return True
                self.set_row_column(r, c, True)
        return False

    def get_row_column(self, r, c):
        return self.free_rows[r] and self.free_maxs[c + r] and self.free_mins[c - r + 7]

    def set_row_column(self, r, c, v):
        self.free_rows[r] = v
        self.free_maxs[c + r] = v
        self.free_mins[c - r + 7] = v

    def verify_result(self, result):
        return result


def main():
    bench = Queens()
    ok = True
    for _ in range(ITERATIONS):
        if not bench.verify_result(bench.benchmark()):
            ok = False
            break
    print("Queens ok" if ok else "Queens FAILED")


main()
