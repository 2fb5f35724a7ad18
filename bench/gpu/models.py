"""ResNet-50 and BERT-base in plain PyTorch, for the GPU benchmark (bench/gpu/).

No torchvision or transformers: the GPU machine may not have them, and the benchmark exports the
ONNX files there (the fixtures in build/fixtures are too large to carry). The modules follow
torchvision's ResNet-50 (v1.5: the stride sits on the 3x3 convolution) and Hugging Face's eager
BertModel (4.40) op for op, so that the exported graphs are the ones modelhost's graph passes are
written against: BatchNorm folded into Conv by the exporter, then FusedConv; and for BERT separate
q/k/v Linear layers, view + permute to [batch, heads, seq, head], Q K^T / sqrt(d) + the additive
mask (1 - mask) * finfo.min, softmax, P V, permute back (FusedAttention), GELU (erf) after the
intermediate Linear (FusedMatMul with gelu) and LayerNorm over residual adds.

Weights are seeded random values (torch.manual_seed), so every process that builds a model gets
the same one; ResNet's BatchNorm layers get running statistics from one calibration batch, so
activations stay in range in fp16. weights_checksum() tells two builds apart.

Works with torch 1.13 (Debian's, on the development machine) and torch 2.x.
"""

from __future__ import annotations

import inspect
import math
import os
import time
import warnings

import torch
from torch import nn
from torch.nn import functional as F

SEED = 0
OPSET = 17

# --- ResNet-50 (torchvision's layout) ----------------------------------------------------------


class Bottleneck(nn.Module):
    expansion = 4

    def __init__(self, inplanes: int, planes: int, stride: int = 1, downsample=None):
        super().__init__()
        self.conv1 = nn.Conv2d(inplanes, planes, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(planes)
        self.conv2 = nn.Conv2d(planes, planes, 3, stride=stride, padding=1, bias=False)
        self.bn2 = nn.BatchNorm2d(planes)
        self.conv3 = nn.Conv2d(planes, planes * self.expansion, 1, bias=False)
        self.bn3 = nn.BatchNorm2d(planes * self.expansion)
        self.relu = nn.ReLU(inplace=True)
        self.downsample = downsample

    def forward(self, x):
        identity = x
        out = self.relu(self.bn1(self.conv1(x)))
        out = self.relu(self.bn2(self.conv2(out)))
        out = self.bn3(self.conv3(out))
        if self.downsample is not None:
            identity = self.downsample(x)
        out += identity
        return self.relu(out)


class ResNet50(nn.Module):
    def __init__(self, num_classes: int = 1000):
        super().__init__()
        self.inplanes = 64
        self.conv1 = nn.Conv2d(3, 64, 7, stride=2, padding=3, bias=False)
        self.bn1 = nn.BatchNorm2d(64)
        self.relu = nn.ReLU(inplace=True)
        self.maxpool = nn.MaxPool2d(3, stride=2, padding=1)
        self.layer1 = self._layer(64, 3)
        self.layer2 = self._layer(128, 4, stride=2)
        self.layer3 = self._layer(256, 6, stride=2)
        self.layer4 = self._layer(512, 3, stride=2)
        self.avgpool = nn.AdaptiveAvgPool2d((1, 1))
        self.fc = nn.Linear(512 * Bottleneck.expansion, num_classes)
        for m in self.modules():
            if isinstance(m, nn.Conv2d):
                nn.init.kaiming_normal_(m.weight, mode="fan_out", nonlinearity="relu")
            elif isinstance(m, nn.BatchNorm2d):
                nn.init.ones_(m.weight)
                nn.init.zeros_(m.bias)

    def _layer(self, planes: int, blocks: int, stride: int = 1):
        downsample = None
        if stride != 1 or self.inplanes != planes * Bottleneck.expansion:
            downsample = nn.Sequential(
                nn.Conv2d(self.inplanes, planes * Bottleneck.expansion, 1, stride=stride,
                          bias=False),
                nn.BatchNorm2d(planes * Bottleneck.expansion))
        layers = [Bottleneck(self.inplanes, planes, stride, downsample)]
        self.inplanes = planes * Bottleneck.expansion
        layers += [Bottleneck(self.inplanes, planes) for _ in range(1, blocks)]
        return nn.Sequential(*layers)

    def forward(self, x):
        x = self.maxpool(self.relu(self.bn1(self.conv1(x))))
        x = self.layer4(self.layer3(self.layer2(self.layer1(x))))
        x = torch.flatten(self.avgpool(x), 1)
        return self.fc(x)


def _calibrate_batch_norm(model: nn.Module, shape) -> None:
    """Running statistics of real activations (one random batch), as scripts/fixtures does:
    the init's mean 0 / var 1 would let activations grow block after block."""
    for m in model.modules():
        if isinstance(m, nn.modules.batchnorm._BatchNorm):
            m.reset_running_stats()
            m.momentum = None  # cumulative average over the calibration batches
    model.train()
    with torch.no_grad():
        model(torch.randn(*shape))
    model.eval()


# --- BERT-base (Hugging Face's eager BertModel, without the pooler) -----------------------------


class BertConfig:
    vocab_size = 30522
    hidden_size = 768
    num_hidden_layers = 12
    num_attention_heads = 12
    intermediate_size = 3072
    max_position_embeddings = 512
    type_vocab_size = 2
    layer_norm_eps = 1e-12
    hidden_dropout_prob = 0.1
    attention_probs_dropout_prob = 0.1


class BertEmbeddings(nn.Module):
    def __init__(self, c: BertConfig):
        super().__init__()
        self.word_embeddings = nn.Embedding(c.vocab_size, c.hidden_size, padding_idx=0)
        self.position_embeddings = nn.Embedding(c.max_position_embeddings, c.hidden_size)
        self.token_type_embeddings = nn.Embedding(c.type_vocab_size, c.hidden_size)
        self.LayerNorm = nn.LayerNorm(c.hidden_size, eps=c.layer_norm_eps)
        self.dropout = nn.Dropout(c.hidden_dropout_prob)
        self.register_buffer("position_ids",
                             torch.arange(c.max_position_embeddings).expand((1, -1)),
                             persistent=False)

    def forward(self, input_ids, token_type_ids):
        seq_length = input_ids.size()[1]
        position_ids = self.position_ids[:, 0:seq_length]
        embeddings = self.word_embeddings(input_ids) + self.token_type_embeddings(token_type_ids)
        embeddings += self.position_embeddings(position_ids)
        return self.dropout(self.LayerNorm(embeddings))


class BertSelfAttention(nn.Module):
    def __init__(self, c: BertConfig):
        super().__init__()
        self.num_attention_heads = c.num_attention_heads
        self.attention_head_size = c.hidden_size // c.num_attention_heads
        self.all_head_size = self.num_attention_heads * self.attention_head_size
        self.query = nn.Linear(c.hidden_size, self.all_head_size)
        self.key = nn.Linear(c.hidden_size, self.all_head_size)
        self.value = nn.Linear(c.hidden_size, self.all_head_size)
        self.dropout = nn.Dropout(c.attention_probs_dropout_prob)

    def transpose_for_scores(self, x):
        new_x_shape = x.size()[:-1] + (self.num_attention_heads, self.attention_head_size)
        x = x.view(new_x_shape)
        return x.permute(0, 2, 1, 3)

    def forward(self, hidden_states, attention_mask):
        mixed_query_layer = self.query(hidden_states)
        key_layer = self.transpose_for_scores(self.key(hidden_states))
        value_layer = self.transpose_for_scores(self.value(hidden_states))
        query_layer = self.transpose_for_scores(mixed_query_layer)
        attention_scores = torch.matmul(query_layer, key_layer.transpose(-1, -2))
        attention_scores = attention_scores / math.sqrt(self.attention_head_size)
        attention_scores = attention_scores + attention_mask
        attention_probs = F.softmax(attention_scores, dim=-1)
        attention_probs = self.dropout(attention_probs)
        context_layer = torch.matmul(attention_probs, value_layer)
        context_layer = context_layer.permute(0, 2, 1, 3).contiguous()
        new_context_layer_shape = context_layer.size()[:-2] + (self.all_head_size,)
        return context_layer.view(new_context_layer_shape)


class BertSelfOutput(nn.Module):
    def __init__(self, c: BertConfig):
        super().__init__()
        self.dense = nn.Linear(c.hidden_size, c.hidden_size)
        self.LayerNorm = nn.LayerNorm(c.hidden_size, eps=c.layer_norm_eps)
        self.dropout = nn.Dropout(c.hidden_dropout_prob)

    def forward(self, hidden_states, input_tensor):
        hidden_states = self.dropout(self.dense(hidden_states))
        return self.LayerNorm(hidden_states + input_tensor)


class BertAttention(nn.Module):
    def __init__(self, c: BertConfig):
        super().__init__()
        self.self = BertSelfAttention(c)
        self.output = BertSelfOutput(c)

    def forward(self, hidden_states, attention_mask):
        return self.output(self.self(hidden_states, attention_mask), hidden_states)


class BertIntermediate(nn.Module):
    def __init__(self, c: BertConfig):
        super().__init__()
        self.dense = nn.Linear(c.hidden_size, c.intermediate_size)

    def forward(self, hidden_states):
        return F.gelu(self.dense(hidden_states))  # erf form, as Hugging Face's "gelu"


class BertOutput(nn.Module):
    def __init__(self, c: BertConfig):
        super().__init__()
        self.dense = nn.Linear(c.intermediate_size, c.hidden_size)
        self.LayerNorm = nn.LayerNorm(c.hidden_size, eps=c.layer_norm_eps)
        self.dropout = nn.Dropout(c.hidden_dropout_prob)

    def forward(self, hidden_states, input_tensor):
        hidden_states = self.dropout(self.dense(hidden_states))
        return self.LayerNorm(hidden_states + input_tensor)


class BertLayer(nn.Module):
    def __init__(self, c: BertConfig):
        super().__init__()
        self.attention = BertAttention(c)
        self.intermediate = BertIntermediate(c)
        self.output = BertOutput(c)

    def forward(self, hidden_states, attention_mask):
        attention_output = self.attention(hidden_states, attention_mask)
        return self.output(self.intermediate(attention_output), attention_output)


class BertEncoder(nn.Module):
    def __init__(self, c: BertConfig):
        super().__init__()
        self.layer = nn.ModuleList([BertLayer(c) for _ in range(c.num_hidden_layers)])

    def forward(self, hidden_states, attention_mask):
        for layer in self.layer:
            hidden_states = layer(hidden_states, attention_mask)
        return hidden_states


class BertModel(nn.Module):
    """Inputs input_ids, attention_mask, token_type_ids (int64 [batch, sequence]); output
    last_hidden_state [batch, sequence, 768]."""

    def __init__(self, c: BertConfig = BertConfig()):
        super().__init__()
        self.config = c
        self.embeddings = BertEmbeddings(c)
        self.encoder = BertEncoder(c)
        for m in self.modules():  # Hugging Face's _init_weights
            if isinstance(m, nn.Linear):
                m.weight.data.normal_(mean=0.0, std=0.02)
                m.bias.data.zero_()
            elif isinstance(m, nn.Embedding):
                m.weight.data.normal_(mean=0.0, std=0.02)
                if m.padding_idx is not None:
                    m.weight.data[m.padding_idx].zero_()
            elif isinstance(m, nn.LayerNorm):
                m.bias.data.zero_()
                m.weight.data.fill_(1.0)

    def forward(self, input_ids, attention_mask, token_type_ids):
        dtype = self.embeddings.word_embeddings.weight.dtype
        # get_extended_attention_mask: [batch, 1, 1, sequence], 0 to keep, finfo.min to drop.
        extended_attention_mask = attention_mask[:, None, None, :]
        extended_attention_mask = extended_attention_mask.to(dtype=dtype)
        extended_attention_mask = (1.0 - extended_attention_mask) * torch.finfo(dtype).min
        hidden_states = self.embeddings(input_ids, token_type_ids)
        return self.encoder(hidden_states, extended_attention_mask)


# --- Building, inputs, export -------------------------------------------------------------------

MODELS = ("resnet50", "bert_base")


def build(name: str) -> nn.Module:
    """The seeded model in eval mode, on the CPU, float32."""
    torch.manual_seed(SEED)
    if name == "resnet50":
        model = ResNet50()
        _calibrate_batch_norm(model, (8, 3, 224, 224))
    elif name == "bert_base":
        model = BertModel()
    else:
        raise ValueError(f"unknown model {name!r}; known: {', '.join(MODELS)}")
    return model.eval()


def weights_checksum(model: nn.Module) -> float:
    """Sum of every parameter and floating buffer, in float64: equal for equal builds."""
    with torch.no_grad():
        total = 0.0
        for t in list(model.parameters()) + list(model.buffers()):
            if t.is_floating_point():
                total += float(t.double().sum())
        return total


def make_inputs(name: str, batch: int, seq: int, device="cpu", generator_seed: int = 42):
    """Inputs filled as `modelhost perf` fills them: floats uniform in [0, 1); token ids in
    [0, 100), attention mask 1, token type ids 0. Float inputs are float32."""
    g = torch.Generator().manual_seed(generator_seed)
    if name == "resnet50":
        return (torch.rand(batch, 3, 224, 224, generator=g).to(device),)
    ids = torch.randint(0, 100, (batch, seq), generator=g, dtype=torch.int64)
    mask = torch.ones(batch, seq, dtype=torch.int64)
    types = torch.zeros(batch, seq, dtype=torch.int64)
    return (ids.to(device), mask.to(device), types.to(device))


def io_names(name: str):
    """(input names, output names, dynamic axes) of the exported graph."""
    if name == "resnet50":
        return ["input"], ["logits"], {"input": {0: "batch"}, "logits": {0: "batch"}}
    inputs = ["input_ids", "attention_mask", "token_type_ids"]
    axes = {n: {0: "batch", 1: "sequence"} for n in inputs}
    axes["last_hidden_state"] = {0: "batch", 1: "sequence"}
    return inputs, ["last_hidden_state"], axes


def _export_example(name: str):
    if name == "resnet50":
        return (torch.rand(2, 3, 224, 224),)
    ids, mask, types = make_inputs(name, 2, 16)
    mask[1, 10:] = 0
    types[:, 8:] = 1
    return (ids, mask, types)


def export_onnx(name: str, model: nn.Module, path: str, opset: int = OPSET) -> dict:
    """torch.onnx.export with the TorchScript exporter (dynamo=False where the argument exists:
    torch >= 2.9 defaults to the torch.export-based one, whose graphs differ), opset 17, a dynamic
    batch axis "batch" (and "sequence" for BERT). Returns what was done."""
    inputs, outputs, axes = io_names(name)
    kwargs = dict(opset_version=opset, do_constant_folding=True, input_names=inputs,
                  output_names=outputs, dynamic_axes=axes)
    try:
        has_dynamo = "dynamo" in inspect.signature(torch.onnx.export).parameters
    except (TypeError, ValueError):
        has_dynamo = not torch.__version__.startswith("1.")
    if has_dynamo:
        kwargs["dynamo"] = False
    notes = _allow_export_without_onnx()
    tmp = path + ".tmp"
    start = time.perf_counter()
    with torch.no_grad(), warnings.catch_warnings():
        warnings.simplefilter("ignore")  # tracer and deprecation warnings are expected
        torch.onnx.export(model, _export_example(name), tmp, **kwargs)
    os.replace(tmp, path)
    exporter = "torchscript (dynamo=False)" if has_dynamo else "torchscript"
    return {"file": os.path.basename(path), "bytes": os.path.getsize(path), "opset": opset,
            "exporter": exporter + (f"; {notes}" if notes else ""), "torch": torch.__version__,
            "export_s": round(time.perf_counter() - start, 2), "inputs": inputs,
            "outputs": outputs, "dynamic_axes": {k: {str(a): n for a, n in v.items()}
                                                 for k, v in axes.items()}}


def _allow_export_without_onnx() -> str:
    """torch 2.x's TorchScript exporter imports the onnx package only to splice in onnxscript
    functions, which these models do not use, and fails without it; the GPU machine may lack
    onnx. Without it, that step becomes a pass-through. Returns a note when it did that."""
    try:
        import onnx  # noqa: F401
        return ""
    except ImportError:
        pass
    patched = []
    for name in ("torch.onnx._internal.torchscript_exporter.onnx_proto_utils",
                 "torch.onnx._internal.onnx_proto_utils", "torch.onnx._onnx_proto_utils"):
        try:
            module = __import__(name, fromlist=["_add_onnxscript_fn"])
        except ImportError:
            continue
        if hasattr(module, "_add_onnxscript_fn"):
            module._add_onnxscript_fn = lambda model_bytes, custom_opsets: model_bytes
            patched.append(name)
    return "no onnx package: onnxscript-function step skipped" if patched else ""
