"""Turn raw capture blocks (any rate, any channel count, float or int) into 16 kHz mono int16.

The resampler is `soxr <https://github.com/dofuuz/python-soxr>`_'s streaming resampler
(libsoxr, "HQ" quality), which keeps its filter state between blocks so block boundaries
leave no clicks or gaps. The recognizer is always told the rate the samples really have
(16 000 Hz), and it always gets int16 -- never float32 bytes.
"""

from __future__ import annotations

import numpy as np

TARGET_RATE = 16000
"""Hz: the rate every recognizer in LiveHost is created with."""


def to_float_mono(block: np.ndarray) -> np.ndarray:
    """Mix a block down to mono float32 in -1..1.

    Args:
        block: shape ``(n,)`` or ``(n, channels)``; float (-1..1 full scale) or integer PCM
            (scaled by the dtype's range: int16 / 32768, int32 / 2**31, uint8 offset 128).

    Returns:
        float32 array of shape ``(n,)`` (the mean of the channels).

    Raises:
        ValueError: more than 2 dimensions.
    """
    x = np.asarray(block)
    if x.ndim > 2:
        raise ValueError(f"audio block must have shape (n,) or (n, channels), got {x.shape}")
    if x.dtype == np.uint8:
        x = (x.astype(np.float32) - 128.0) / 128.0
    elif np.issubdtype(x.dtype, np.integer):
        x = x.astype(np.float32) / float(-np.iinfo(x.dtype).min)
    else:
        x = x.astype(np.float32, copy=False)
    if x.ndim == 2:
        x = x.mean(axis=1, dtype=np.float32) if x.shape[1] > 1 else x[:, 0]
    return np.ascontiguousarray(x, dtype=np.float32)


def float_to_int16(x: np.ndarray) -> np.ndarray:
    """Scale float samples in -1..1 to int16 with clipping (values beyond full scale saturate)."""
    return np.clip(np.rint(x * 32768.0), -32768, 32767).astype(np.int16)


class PcmConverter:
    """Streaming converter from one input format to 16 kHz mono int16.

    Args:
        in_rate: Hz of the incoming blocks (what the device or file really delivers), > 0.
        out_rate: Hz wanted (default :data:`TARGET_RATE`).

    Use :meth:`convert` for every block in order, then :meth:`flush` once at the end of the
    stream (it returns the resampler's tail, at most a few ms).
    """

    def __init__(self, in_rate: int, out_rate: int = TARGET_RATE) -> None:
        if in_rate <= 0 or out_rate <= 0:
            raise ValueError("sample rates must be positive")
        self.in_rate = int(in_rate)
        self.out_rate = int(out_rate)
        self._stream = None
        if self.in_rate != self.out_rate:
            import soxr

            self._stream = soxr.ResampleStream(self.in_rate, self.out_rate, 1, dtype="float32",
                                               quality="HQ")

    def convert(self, block: np.ndarray) -> np.ndarray:
        """Convert one block; returns int16 of shape ``(m,)`` with m ~= n * out_rate / in_rate
        (the resampler may hold back a few samples until the next block)."""
        x = to_float_mono(block)
        if self._stream is not None:
            x = self._stream.resample_chunk(x, last=False)
        return float_to_int16(x)

    def flush(self) -> np.ndarray:
        """End of stream: return the samples the resampler still holds (int16, possibly empty)."""
        if self._stream is None:
            return np.zeros(0, dtype=np.int16)
        tail = self._stream.resample_chunk(np.zeros(0, dtype=np.float32), last=True)
        return float_to_int16(tail)
