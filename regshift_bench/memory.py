"""Keep freed memory in the process instead of handing it back to the kernel.

A training step allocates and frees activation buffers of tens of megabytes (LegNet
at batch 128 on 200 bp: 128 x 320 x 200 float32 = 33 MB each). glibc serves blocks
above its ``mmap`` threshold (at most 32 MB, raised adaptively) with a fresh
``mmap`` and returns them with ``munmap`` on free, so every step pays for page
faults on newly mapped memory: on the 2-core benchmark box a third of a LegNet
cell's CPU time was kernel time. Raising the threshold and the heap's trim
threshold makes freed buffers reusable. Values are unchanged (only where memory
comes from); the price is a resident size that stays at the process's peak.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import functools
import sys

#: ``mallopt`` parameter numbers from glibc's ``malloc.h``.
M_TRIM_THRESHOLD, M_MMAP_THRESHOLD = -1, -3
#: Blocks up to this size come from the heap (reused) instead of a fresh mapping.
MMAP_THRESHOLD_BYTES = 1 << 30
#: Free memory at the heap's top kept instead of trimmed (the largest int mallopt takes).
TRIM_THRESHOLD_BYTES = 2**31 - 1


@functools.cache
def retain_freed_memory() -> bool:
    """Set glibc's mmap and trim thresholds for this process, once.

    Returns
    -------
    bool
        True when glibc accepted both settings; False on another C library or
        platform (macOS, musl, Windows), where nothing is changed.
    """
    if not sys.platform.startswith("linux"):
        return False
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        mallopt = libc.mallopt
    except (OSError, AttributeError):  # not glibc
        return False
    mallopt.argtypes, mallopt.restype = [ctypes.c_int, ctypes.c_int], ctypes.c_int
    return bool(mallopt(M_MMAP_THRESHOLD, MMAP_THRESHOLD_BYTES)) and bool(
        mallopt(M_TRIM_THRESHOLD, TRIM_THRESHOLD_BYTES)
    )
