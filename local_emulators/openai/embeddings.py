"""`/v1/embeddings` for the scripted model server: deterministic vectors, so memory tests are reproducible.

A text's vector is a signed feature hash of its lowercase words and word pairs, L2-normalised: the same text
always gives the same vector, and texts that share words are close, which is enough to test retrieval plumbing.
It is not a language model; relevance tests use the embedded MiniLM model instead.
"""

from __future__ import annotations

import base64
import hashlib
import itertools
import math
import re
import struct
from typing import Any

from local_emulators.openai.errors import BadRequestError

DEFAULT_DIMENSIONS = 1536
"""As OpenAI's text-embedding-3-small; a request's `dimensions` picks another size."""
MAX_DIMENSIONS = 3072
MAX_INPUTS = 2048
"""OpenAI's limit on inputs per request."""
_WORD = re.compile(r"[a-z0-9]+")


def embed_text(text: str, dimensions: int) -> list[float]:
    """The deterministic unit vector of `text` (all zeros for text without words)."""
    words = _WORD.findall(text.lower())
    features = [*words, *(f"{a} {b}" for a, b in itertools.pairwise(words))]
    vector = [0.0] * dimensions
    for feature in features:
        digest = hashlib.blake2b(feature.encode(), digest_size=8).digest()
        (value,) = struct.unpack("<Q", digest)
        vector[value % dimensions] += 1.0 if (value >> 63) else -1.0
    norm = math.sqrt(sum(x * x for x in vector))
    return [x / norm for x in vector] if norm else vector


def embeddings_reply(body: dict[str, Any], model: str) -> dict[str, Any]:
    """Answer one `/v1/embeddings` request body as OpenAI does (floats, or base64 float32 when asked).

    Raises:
        BadRequestError: No input, an empty string, token arrays, a bad `dimensions` or `encoding_format`.
    """
    raw = body.get("input")
    inputs = [raw] if isinstance(raw, str) else raw
    if not isinstance(inputs, list) or not inputs:
        raise BadRequestError("'input' must be a string or a non-empty array of strings")
    if len(inputs) > MAX_INPUTS:
        raise BadRequestError(f"'input' has {len(inputs)} items; at most {MAX_INPUTS} are allowed")
    for i, text in enumerate(inputs):
        if not isinstance(text, str):
            raise BadRequestError(f"input[{i}] is not a string (token arrays are not supported here)")
        if not text:
            raise BadRequestError(f"input[{i}] is empty")
    dimensions = body.get("dimensions", DEFAULT_DIMENSIONS)
    if not isinstance(dimensions, int) or isinstance(dimensions, bool) or not 1 <= dimensions <= MAX_DIMENSIONS:
        raise BadRequestError(f"'dimensions' must be an integer from 1 to {MAX_DIMENSIONS}")
    encoding = body.get("encoding_format", "float")
    if encoding not in ("float", "base64"):
        raise BadRequestError("'encoding_format' must be 'float' or 'base64'")
    data = []
    tokens = 0
    for index, text in enumerate(inputs):
        vector = embed_text(text, dimensions)
        tokens += max(1, len(_WORD.findall(text.lower())))
        value: Any = vector
        if encoding == "base64":
            value = base64.b64encode(struct.pack(f"<{dimensions}f", *vector)).decode()
        data.append({"object": "embedding", "index": index, "embedding": value})
    return {
        "object": "list",
        "data": data,
        "model": str(body.get("model") or model),
        "usage": {"prompt_tokens": tokens, "total_tokens": tokens},
    }
