# Mandelbrot (Are We Fast Yet, micro): the Benchmarks Game's Mandelbrot set over a SIZE x SIZE
# grid, bits packed into bytes and xor-ed into a checksum, checked against AWFY's values
# (500: 191, 750: 50, 1: 128). The same algorithm as benches/awfy/zx/Mandelbrot.zx.

ITERATIONS = 1
SIZE = 500


def mandelbrot(size):
    sum_ = 0
    byte_acc = 0
    bit_num = 0
    y = 0
    while y < size:
        ci = (2.0 * y / size) - 1.0
        x = 0
        while x < size:
            zrzr = 0.0
            zizi = 0.0
            zi = 0.0
            cr = (2.0 * x / size) - 1.5
            z = 0
            not_done = True
            escape = 0
            while not_done and z < 50:
                zr = zrzr - zizi + cr
                zi = 2.0 * zr * zi + ci
                # keep the squares for the next step
                zrzr = zr * zr
                zizi = zi * zi
                if zrzr + zizi > 4.0:
                    not_done = False
                    escape = 1
                z = z + 1
            byte_acc = (byte_acc << 1) + escape
            bit_num = bit_num + 1
            if bit_num == 8:
                sum_ = sum_ ^ byte_acc
                byte_acc = 0
                bit_num = 0
            elif x == size - 1:
                byte_acc = byte_acc << (8 - bit_num)
                sum_ = sum_ ^ byte_acc
                byte_acc = 0
                bit_num = 0
            x = x + 1
        y = y + 1
    return sum_


def verify_result(result, size):
    if size == 500:
        return result == 191
    if size == 750:
        return result == 50
    if size == 1:
        return result == 128
    print("No verification result for " + str(size) + " found")
    return False


def main():
    result = 0
    ok = True
    for _ in range(ITERATIONS):
        result = mandelbrot(SIZE)
        if not verify_result(result, SIZE):
            ok = False
            break
    print("Mandelbrot " + str(result) + (" ok" if ok else " FAILED"))


main()
