"""What the real-model tests run: the models, their input cases, and the engine's known gaps."""

from __future__ import annotations

import zlib
from dataclasses import dataclass

import numpy as np

# The fixtures of scripts/fixtures, in test order (small and quick first).
MODEL_ORDER = ["mobilenet_v2", "efficientnet_b0", "resnet50", "bert_tiny", "minilm_l6",
               "distilbert_base", "bert_base"]
KIND = {"mobilenet_v2": "vision", "efficientnet_b0": "vision", "resnet50": "vision",
        "bert_tiny": "text", "minilm_l6": "text", "distilbert_base": "text", "bert_base": "text"}


@dataclass(frozen=True)
class Case:
    name: str
    batch: int
    sequence: int = 0  # text models only

    def __str__(self) -> str:
        return self.name


VISION_CASES = [Case("batch1", 1), Case("batch2", 2)]
# Every text case has padding: a row's valid length is drawn below the sequence length, except
# for row 0, which stays full so that the longest row defines the sequence.
TEXT_CASES = [Case("b1-seq8", 1, 8), Case("b2-seq8", 2, 8), Case("b1-seq128", 1, 128),
              Case("b2-seq128", 2, 128)]


# The concurrent test: this many clients at once, each sending one row of this case's shape, so
# that the server's dynamic batcher concatenates real inputs and splits real outputs.
CONCURRENT_CLIENTS = 4
CONCURRENT_CASE = {"vision": Case("row", 1), "text": Case("row-seq32", 1, 32)}


def cases_for(model: str) -> list[Case]:
    return VISION_CASES if KIND[model] == "vision" else TEXT_CASES


# Models or (model, case) pairs the engine cannot run correctly yet: the test is an xfail with
# this reason (strict, so it fails loudly once the engine is fixed and the entry must go).
KNOWN_GAPS: dict = {}


def known_gap(model: str, case: str | None = None) -> str | None:
    return KNOWN_GAPS.get((model, case)) or KNOWN_GAPS.get(model)


# (model, case, output, max abs error, bound) for the terminal summary.
RESULTS: list[tuple[str, str, str, float, float]] = []


def make_inputs(entry: dict, model: str, case: Case, client: int = 0) -> dict[str, np.ndarray]:
    """Fixed random inputs for one case; the seed is derived from the model and case names."""
    rng = np.random.default_rng(zlib.crc32(f"{model}/{case.name}/{client}".encode()))
    if entry["kind"] == "vision":
        (spec,) = entry["inputs"]
        shape = [case.batch] + list(spec["shape"][1:])
        return {spec["name"]: rng.standard_normal(shape, dtype=np.float32)}

    batch, seq = case.batch, case.sequence
    lengths = np.full(batch, seq)
    if seq > 1:
        short = rng.integers(max(1, seq // 4), seq, size=batch)  # strictly shorter than seq
        lengths[1:] = short[1:]
        if batch == 1:
            lengths[0] = short[0]  # a single row is padded too
    mask = (np.arange(seq)[None, :] < lengths[:, None]).astype(np.int64)
    ids = rng.integers(1000, entry["vocab_size"], size=(batch, seq), dtype=np.int64)
    ids[:, 0] = 101  # [CLS]
    ids[np.arange(batch), lengths - 1] = 102  # [SEP]
    ids = np.where(mask == 1, ids, 0)  # [PAD]
    feeds = {"input_ids": ids, "attention_mask": mask}
    if any(i["name"] == "token_type_ids" for i in entry["inputs"]):
        # Two segments: the second half of each row's valid tokens is segment 1.
        types = (np.arange(seq)[None, :] >= (lengths // 2)[:, None]).astype(np.int64)
        feeds["token_type_ids"] = types * mask
    return {i["name"]: feeds[i["name"]] for i in entry["inputs"]}
