"""Builds a small DLRM-like ranking model in PyTorch, exports it as TorchScript and writes PyTorch's
own scores for fixed inputs: the golden fixture that the Java tests serve through DJL.

    python3 export_tiny_dlrm.py OUTPUT_DIR [--version V] [--seed S] [--two-scores]

OUTPUT_DIR receives model.pt, deeprec-model.json and golden.json. --two-scores makes a module that
returns two numbers per item (a wrong output shape, for the validation tests).

The module follows DeepRec-Flink's TorchScript contract: forward takes one argument per manifest
input, by name: `dense` (float32 [items, dense]) and one int64 [items, ids] tensor per table and per
behaviour sequence; it returns one float32 score per item ([items] or [items, 1]).
"""
import argparse
import json
import os

import torch
from torch import Tensor, nn

DENSE = 13
DIM = 8
TABLES = [  # name, rows, ids per item, side
    ("user", 1000, 2, "user"),
    ("item", 2000, 1, "item"),
    ("category", 100, 3, "item"),
]
SEQUENCES = [("clicks", 2000, 8, "user")]  # name, rows, length, side


class TinyDlrm(nn.Module):
    def __init__(self, scores: int):
        super().__init__()
        self.scores = scores
        self.bottom = nn.Sequential(nn.Linear(DENSE, 16), nn.ReLU(), nn.Linear(16, DIM), nn.ReLU())
        self.user = nn.EmbeddingBag(TABLES[0][1], DIM, mode="sum")
        self.item = nn.EmbeddingBag(TABLES[1][1], DIM, mode="sum")
        self.category = nn.EmbeddingBag(TABLES[2][1], DIM, mode="sum")
        self.clicks = nn.Embedding(SEQUENCES[0][1], DIM)
        self.attention = nn.Linear(2 * DIM, 1)
        self.top = nn.Sequential(nn.Linear(5 * DIM, 16), nn.ReLU(), nn.Linear(16, scores))

    def forward(self, dense: Tensor, user: Tensor, item: Tensor, category: Tensor, clicks: Tensor) -> Tensor:
        x = self.bottom(dense)
        u = self.user(user)
        i = self.item(item)
        c = self.category(category)
        history = self.clicks(clicks)  # [items, steps, dim]
        query = i.unsqueeze(1).expand(-1, history.shape[1], -1)
        weights = torch.softmax(self.attention(torch.cat([history, query], dim=2)), dim=1)
        interest = (weights * history).sum(dim=1)
        z = torch.cat([x, u, i, c, interest], dim=1)
        out = torch.sigmoid(self.top(z))
        return out.squeeze(1) if self.scores == 1 else out


def manifest(version: str) -> dict:
    return {
        "name": "tiny-dlrm",
        "version": version,
        "p95TargetMs": 50,
        "dense": DENSE,
        "tables": [{"name": n, "rows": r, "idsPerItem": k, "side": s} for n, r, k, s in TABLES],
        "sequences": [{"name": n, "rows": r, "length": k, "side": s} for n, r, k, s in SEQUENCES],
        "output": "score",
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("output")
    parser.add_argument("--version", default="1")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--two-scores", action="store_true")
    args = parser.parse_args()
    torch.manual_seed(args.seed)
    model = TinyDlrm(2 if args.two_scores else 1).eval()
    scripted = torch.jit.script(model)
    os.makedirs(args.output, exist_ok=True)
    scripted.save(os.path.join(args.output, "model.pt"))
    with open(os.path.join(args.output, "deeprec-model.json"), "w") as f:
        json.dump(manifest(args.version), f, indent=2)
        f.write("\n")

    # Fixed inputs: 40 items, every id in range, the largest row of each table included.
    g = torch.Generator().manual_seed(1234)
    items = 40
    inputs = {"dense": torch.rand(items, DENSE, generator=g)}
    for name, rows, ids, _ in TABLES + SEQUENCES:
        t = torch.randint(0, rows, (items, ids), generator=g, dtype=torch.int64)
        t[0, 0] = rows - 1
        inputs[name] = t
    with torch.no_grad():
        scores = scripted(**inputs)
    golden = {
        "items": items,
        "inputs": {k: v.tolist() for k, v in inputs.items()},
        "scores": scores.tolist(),
        "torch": torch.__version__,
    }
    with open(os.path.join(args.output, "golden.json"), "w") as f:
        json.dump(golden, f)
        f.write("\n")
    print(f"wrote {args.output}: model.pt, deeprec-model.json, golden.json (torch {torch.__version__})")


if __name__ == "__main__":
    main()
