"""The truth suite: every figure of every real export, worked out in plain Python, against `measure`."""
