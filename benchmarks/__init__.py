"""creditcomms benchmarks: each figure is printed next to a naive baseline from the same run."""
