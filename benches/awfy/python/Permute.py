# Permute (Are We Fast Yet, micro): all permutations of a six-element array by recursive
# swapping; the number of calls of `permute` is checked (8660). The same algorithm as
# benches/awfy/zx/Permute.zx. The harness runs the benchmark ITERATIONS times.

ITERATIONS = 60


class Permute:
    def __init__(self):
        self.count = 0
        self.v = []

    def benchmark(self):
        self.count = 0
        self.v = [0] * 6
        self.permute(6)
        return self.count

    def permute(self, n):
        self.count = self.count + 1
        if n != 0:
            n1 = n - 1
            self.permute(n1)
            i = n1
            while i >= 0:
                self.swap(n1, i)
                self.permute(n1)
                self.swap(n1, i)
                i = i - 1

    def swap(self, i, j):
        v = self.v
        tmp = v[i]
        v[i] = v[j]
        v[j] = tmp

    def verify_result(self, result):
        return result == 8660


def main():
    bench = Permute()
    result = 0
    ok = True
    for _ in range(ITERATIONS):
        result = bench.benchmark()
        if not bench.verify_result(result):
            ok = False
            break
    print("Permute " + str(result) + (" ok" if ok else " FAILED"))


main()
