"""The span reader and passage scorer: multilingual-e5-small with low-rank adapters and two heads.

The lower ``freeze`` layers of the base model are used as they are, so training can compute
their outputs once and keep them; the upper layers get LoRA adapters on every linear map (and
their LayerNorms are trained). Two small heads read the last hidden states: a start/end head over
the tokens (position 0 stands for "no answer in this window") and a relevance head over the
first token, which is what the reranker scores. Only the adapters, LayerNorms and heads are
saved: a few hundred thousand numbers beside a base model that is verified by checksum.

For inference the adapters are merged into the base weights and the linear layers cast to
bfloat16 once, so a reader costs exactly one forward pass of the base model.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from pathlib import Path

import torch
from torch import nn

LORA_TARGETS = (
    "attention.self.query",
    "attention.self.key",
    "attention.self.value",
    "attention.output.dense",
    "intermediate.dense",
    "output.dense",
)


@dataclass(frozen=True)
class AdapterConfig:
    """The shape of an adapter: which layers it touches and how big it is."""

    freeze: int = 6
    rank: int = 16
    alpha: float = 32.0
    max_len: int = 384
    stride: int = 128


class LoRALinear(nn.Module):
    """``base(x) + scale * x Aᵀ Bᵀ`` with the base frozen; B starts at zero so training starts at the base."""

    def __init__(self, base: nn.Linear, rank: int, alpha: float) -> None:
        super().__init__()
        self.base = base
        self.scale = alpha / rank
        self.lora_a = nn.Parameter(torch.empty(rank, base.in_features))
        self.lora_b = nn.Parameter(torch.zeros(base.out_features, rank))
        nn.init.kaiming_uniform_(self.lora_a, a=math.sqrt(5))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.base(x) + (x @ self.lora_a.t().to(x.dtype)) @ (self.lora_b.t() * self.scale).to(x.dtype)

    def merged(self) -> nn.Linear:
        out = nn.Linear(self.base.in_features, self.base.out_features)
        with torch.no_grad():
            w = self.base.weight.float() + self.scale * (self.lora_b.float() @ self.lora_a.float())
            out.weight.copy_(w)
            out.bias.copy_(self.base.bias.float())
        return out


def _set_submodule(root: nn.Module, dotted: str, module: nn.Module) -> None:
    parent, _, name = dotted.rpartition(".")
    setattr(root.get_submodule(parent) if parent else root, name, module)


class SpanModel(nn.Module):
    """A BERT encoder split at ``freeze``: ``lower`` is the frozen part, ``upper`` the adapted part and heads."""

    def __init__(self, bert: nn.Module, config: AdapterConfig) -> None:
        super().__init__()
        self.bert = bert
        self.config = config
        hidden = bert.config.hidden_size
        for p in bert.parameters():
            p.requires_grad = False
        for layer in bert.encoder.layer[config.freeze :]:
            for target in LORA_TARGETS:
                _set_submodule(layer, target, LoRALinear(layer.get_submodule(target), config.rank, config.alpha))
            for name, p in layer.named_parameters():
                if "LayerNorm" in name:
                    p.requires_grad = True
        self.span_head = nn.Linear(hidden, 2)
        self.rank_head = nn.Linear(hidden, 1)
        nn.init.normal_(self.span_head.weight, std=0.02)
        nn.init.zeros_(self.span_head.bias)
        nn.init.normal_(self.rank_head.weight, std=0.02)
        nn.init.zeros_(self.rank_head.bias)

    def _mask(self, hidden: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
        from transformers.masking_utils import create_bidirectional_mask

        return create_bidirectional_mask(config=self.bert.config, inputs_embeds=hidden, attention_mask=attention_mask)

    def lower(self, input_ids: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
        """Hidden states after the frozen layers."""
        hidden = self.bert.embeddings(input_ids=input_ids, token_type_ids=torch.zeros_like(input_ids))
        mask = self._mask(hidden, attention_mask)
        for layer in self.bert.encoder.layer[: self.config.freeze]:
            hidden = layer(hidden, mask)
        return hidden

    def upper(self, hidden: torch.Tensor, attention_mask: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        """(start logits, end logits, relevance logit) from the frozen layers' output."""
        mask = self._mask(hidden, attention_mask)
        for layer in self.bert.encoder.layer[self.config.freeze :]:
            hidden = layer(hidden, mask)
        hidden = hidden.float()
        logits = self.span_head(hidden)
        big = torch.finfo(logits.dtype).max / 4
        pad = attention_mask == 0
        start = logits[..., 0].masked_fill(pad, -big)
        end = logits[..., 1].masked_fill(pad, -big)
        return start, end, self.rank_head(hidden[:, 0]).squeeze(-1)

    def forward(self, input_ids: torch.Tensor, attention_mask: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        return self.upper(self.lower(input_ids, attention_mask), attention_mask)

    def share_lower(self, donor: nn.Module) -> bool:
        """Run the frozen part on ``donor``'s modules (the embedding model's copy of the same base).

        The embeddings and the lower layers are the base model's, untouched by training; the
        embedding model already holds them (the word embeddings alone are ~380 MB), so a second
        copy is dropped. Shared only where every tensor equals this model's own (at its dtype):
        another base model is left alone and False returned.
        """
        freeze = self.config.freeze
        try:
            pairs = [(self.bert.embeddings, donor.embeddings)]
            pairs += [(self.bert.encoder.layer[i], donor.encoder.layer[i]) for i in range(freeze)]
        except (AttributeError, IndexError, TypeError):
            return False
        for own, other in pairs:
            if own is other:
                continue
            if type(own) is not type(other):
                return False
            a, b = own.state_dict(), other.state_dict()
            if a.keys() != b.keys() or any(
                a[k].shape != b[k].shape or not torch.equal(a[k], b[k].to(a[k].dtype)) for k in a
            ):
                return False
        self.bert.embeddings = donor.embeddings
        for i in range(freeze):
            self.bert.encoder.layer[i] = donor.encoder.layer[i]
        return True

    # ------------------------------------------------------------ the saved part

    def trainable_state(self) -> dict[str, torch.Tensor]:
        """Everything that differs from the base model, by parameter name."""
        return {n: p.detach().float().contiguous().clone() for n, p in self.named_parameters() if p.requires_grad}

    def load_trainable_state(self, state: dict[str, torch.Tensor]) -> None:
        own = dict(self.named_parameters())
        expected = {n for n, p in own.items() if p.requires_grad}
        if set(state) != expected:
            missing, extra = sorted(expected - set(state)), sorted(set(state) - expected)
            raise ValueError(f"adapter does not fit the model (missing {missing[:3]}, unexpected {extra[:3]})")
        with torch.no_grad():
            for n, t in state.items():
                if own[n].shape != t.shape:
                    raise ValueError(f"adapter tensor {n} has shape {tuple(t.shape)}, expected {tuple(own[n].shape)}")
                own[n].copy_(t)

    def prepare_inference(self, bf16: bool) -> None:
        """Merge the adapters into the base weights and, with ``bf16``, cast the linear layers once."""
        for layer in self.bert.encoder.layer[self.config.freeze :]:
            for target in LORA_TARGETS:
                mod = layer.get_submodule(target)
                if isinstance(mod, LoRALinear):
                    _set_submodule(layer, target, mod.merged())
        if bf16:
            for layer in self.bert.encoder.layer:
                for mod in layer.modules():
                    if isinstance(mod, nn.Linear):
                        mod.to(torch.bfloat16)
        self.eval()
        for p in self.parameters():
            p.requires_grad = False


def load_base(base_dir: Path) -> nn.Module:
    """The base BERT encoder in float32, with dropout as configured (off once ``eval()`` is called)."""
    from transformers import AutoModel
    from transformers.utils import logging as hf_logging

    hf_logging.disable_progress_bar()
    verbosity = hf_logging.get_verbosity()
    hf_logging.set_verbosity_error()
    try:
        return AutoModel.from_pretrained(str(base_dir), dtype=torch.float32, local_files_only=True)
    finally:
        hf_logging.set_verbosity(verbosity)


def build(base_dir: Path, config: AdapterConfig) -> SpanModel:
    return SpanModel(load_base(base_dir), config)


def config_dict(config: AdapterConfig) -> dict:
    return asdict(config)
