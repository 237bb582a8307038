"""Run by embed.c in its forked child: a JNI call from Python code."""
import ctypes

ctypes.CDLL(None).host_find_class()  # L:embed-java
