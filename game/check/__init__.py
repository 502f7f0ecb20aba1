"""`divergence check`: what can be proved about a story beyond the loader's errors."""
