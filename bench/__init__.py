"""The benchmark of issue 6 (``bench/run``); see the README's Benchmark section."""
