"""Contract tests: the SDK and FakePaddle judged by Stoplight Prism against Paddle's spec."""
