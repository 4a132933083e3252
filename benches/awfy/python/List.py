# List (Are We Fast Yet, micro): the Takeuchi-like `tail` over linked lists of lengths 15, 10
# and 6; the length of the resulting list is checked (10). The same algorithm as
# benches/awfy/zx/List.zx. The harness runs the benchmark ITERATIONS times.

ITERATIONS = 80


class Element:
    def __init__(self, v):
        self.val = v
        self.next = None

    def length(self):
        if self.next is None:
            return 1
        return 1 + self.next.length()


class ListBenchmark:
    def benchmark(self):
        result = self.tail(self.make_list(15), self.make_list(10), self.make_list(6))
        return result.length()

    def make_list(self, length):
        if length == 0:
            return None
        e = Element(length)
        e.next = self.make_list(length - 1)
        return e

    def is_shorter_than(self, x, y):
        x_tail = x
        y_tail = y
        while y_tail is not None:
            if x_tail is None:
                return True
            x_tail = x_tail.next
            y_tail = y_tail.next
        return False

    def tail(self, x, y, z):
        if self.is_shorter_than(y, x):
            return self.tail(self.tail(x.next, y, z),
                             self.tail(y.next, z, x),
                             self.tail(z.next, x, y))
        return z

    def verify_result(self, result):
        return result == 10


def main():
    bench = ListBenchmark()
    result = 0
    ok = True
    for _ in range(ITERATIONS):
        result = bench.benchmark()
        if not bench.verify_result(result):
            ok = False
            break
    print("List " + str(result) + (" ok" if ok else " FAILED"))


main()
