"""The fixed-width big-endian layouts AMQP 1.0 encodes numbers with, shared by the encoder and the decoder."""

from __future__ import annotations

import struct

U8 = struct.Struct(">B")
U16 = struct.Struct(">H")
U32 = struct.Struct(">I")
U64 = struct.Struct(">Q")
I8 = struct.Struct(">b")
I16 = struct.Struct(">h")
I32 = struct.Struct(">i")
I64 = struct.Struct(">q")
F32 = struct.Struct(">f")
F64 = struct.Struct(">d")
U32PAIR = struct.Struct(">II")
