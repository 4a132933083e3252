# Bounce (Are We Fast Yet, micro): 100 balls bounce in a 500x500 box for 50 steps; the number
# of bounces is checked (1331). The same algorithm as benches/awfy/zx/Bounce.zx.
# The harness runs the benchmark ITERATIONS times and checks every result.

ITERATIONS = 60


class Random:
    def __init__(self):
        self.seed = 74755

    def next(self):
        self.seed = ((self.seed * 1309) + 13849) & 65535
        return self.seed


class Ball:
    def __init__(self, rng):
        self.x = rng.next() % 500
        self.y = rng.next() % 500
        self.x_vel = (rng.next() % 300) - 150
        self.y_vel = (rng.next() % 300) - 150

    def bounce(self):
        x_limit = 500
        y_limit = 500
        bounced = False
        self.x = self.x + self.x_vel
        self.y = self.y + self.y_vel
        if self.x > x_limit:
            self.x = x_limit
            self.x_vel = 0 - abs(self.x_vel)
            bounced = True
        if self.x < 0:
            self.x = 0
            self.x_vel = abs(self.x_vel)
            bounced = True
        if self.y > y_limit:
            self.y = y_limit
            self.y_vel = 0 - abs(self.y_vel)
            bounced = True
        if self.y < 0:
            self.y = 0
            self.y_vel = abs(self.y_vel)
            bounced = True
        return bounced


class Bounce:
    def benchmark(self):
        rng = Random()
        ball_count = 100
        bounces = 0
        balls = [None] * ball_count
        for i in range(ball_count):
            balls[i] = Ball(rng)
        for _ in range(50):
            for ball in balls:
                if ball.bounce():
                    bounces = bounces + 1
        return bounces

    def verify_result(self, result):
        return result == 1331


def main():
    bench = Bounce()
    result = 0
    ok = True
    for _ in range(ITERATIONS):
        result = bench.benchmark()
        if not bench.verify_result(result):
            ok = False
            break
    print("Bounce " + str(result) + (" ok" if ok else " FAILED"))


main()
