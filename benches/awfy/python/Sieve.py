# Sieve (Are We Fast Yet, micro): the sieve of Eratosthenes over 5000 flags; the number of
# primes is checked (669). The same algorithm as benches/awfy/zx/Sieve.zx.
# The harness runs the benchmark ITERATIONS times.

ITERATIONS = 1500


class Sieve:
    def benchmark(self):
        flags = [True] * 5000
        return self.sieve(flags, 5000)

    def sieve(self, flags, size):
        prime_count = 0
        for i in range(2, size + 1):
            if flags[i - 1]:
                prime_count = prime_count + 1
                k = i + i
                while k <= size:
                    flags[k - 1] = False
                    k = k + i
        return prime_count

    def verify_result(self, result):
        return result == 669


def main():
    bench = Sieve()
    result = 0
    ok = True
    for _ in range(ITERATIONS):
        result = bench.benchmark()
        if not bench.verify_result(result):
            ok = False
            break
    print("Sieve " + str(result) + (" ok" if ok else " FAILED"))


main()
