"""Measures request latency per batch size of DeepRecInfra model shapes on a real GPU.

The job's accelerator path can run simulated: a batch -> latency curve stands in for a GPU
(deeprec.accelerator.latency-curve), as the DeepRecSys reference does. This script produces that
curve from a real GPU, for the same shapes as the Java models (operators/.../model/ModelCatalog):
embedding bags summed per table, bottom MLP, concat interaction, top MLP, sigmoid. Each timed
request includes copying its inputs from host memory and the scores back, as a serving GPU would.

Usage: python3 measure_gpu_curve.py OUT_DIR [table_scale]   (needs PyTorch with CUDA)
Writes OUT_DIR/<model>-gpu-profile.csv (batch_size,median_ms,p95_ms) and prints the
deeprec.accelerator.latency-curve value of each model.
"""
import csv
import os
import sys
import time

import torch
from torch import nn

# name: (tables, rows, dim, lookups, dense, bottom MLP, top MLP) as in DESIGN.md / ModelCatalog.
MODELS = {
    "rmc1": (8, 4_000_000, 32, 80, 128, [128, 64, 32], [256, 64, 1]),
    "rmc2": (32, 500_000, 64, 120, 256, [256, 128, 64], [128, 64, 1]),
    "rmc3": (10, 2_000_000, 32, 20, 2560, [2560, 1024, 256, 32], [512, 256, 1]),
    # WnD: 27 single-lookup tables, raw dense features, no bottom MLP.
    "wnd": (27, 1_000_000, 32, 1, 512, [], [1024, 512, 256, 1]),
}
BATCHES = [1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024]


def mlp(widths, first):
    layers, width = [], first
    for i, out in enumerate(widths):
        layers.append(nn.Linear(width, out))
        if i < len(widths) - 1:
            layers.append(nn.ReLU())
        width = out
    return nn.Sequential(*layers), width


class Dlrm(nn.Module):
    def __init__(self, tables, rows, dim, lookups, dense, bottom, top):
        super().__init__()
        self.lookups = lookups
        self.bags = nn.ModuleList(nn.EmbeddingBag(rows, dim, mode="sum") for _ in range(tables))
        self.bottom, bottom_out = mlp(bottom, dense) if bottom else (nn.Identity(), dense)
        self.top, _ = mlp(top, bottom_out + tables * dim)

    def forward(self, dense, ids):
        # ids: [tables, batch * lookups]
        batch = dense.shape[0]
        offsets = torch.arange(0, batch * self.lookups, self.lookups, device=dense.device)
        pooled = [bag(ids[t], offsets) for t, bag in enumerate(self.bags)]
        return torch.sigmoid(self.top(torch.cat([self.bottom(dense)] + pooled, dim=1)))


def measure(model, spec, batch, runs=60, warmup=10):
    tables, rows, _, lookups, dense_dim, _, _ = spec
    dense = torch.randn(batch, dense_dim).pin_memory()
    ids = torch.randint(0, rows, (tables, batch * lookups)).pin_memory()
    times = []
    with torch.inference_mode():
        for i in range(warmup + runs):
            torch.cuda.synchronize()
            start = time.perf_counter()
            scores = model(dense.cuda(non_blocking=True), ids.cuda(non_blocking=True)).cpu()
            elapsed = (time.perf_counter() - start) * 1000.0
            if i >= warmup:
                times.append(elapsed)
    assert scores.shape == (batch, 1)
    times.sort()
    return times[len(times) // 2], times[int(len(times) * 0.95) - 1]


def main():
    out_dir = sys.argv[1]
    scale = float(sys.argv[2]) if len(sys.argv) > 2 else 1.0
    os.makedirs(out_dir, exist_ok=True)
    print("device:", torch.cuda.get_device_name(0), "torch", torch.__version__, "table scale", scale)
    for name, spec in MODELS.items():
        tables, rows, dim, lookups, dense, bottom, top = spec
        spec = (tables, max(1, int(rows * scale)), dim, lookups, dense, bottom, top)
        with torch.device("cuda"):  # initialise the tables on the GPU: gigabytes, fast there
            model = Dlrm(*spec).eval()
        rows_out = []
        for batch in BATCHES:
            median, p95 = measure(model, spec, batch)
            rows_out.append((batch, median, p95))
            print(f"{name} batch {batch:5d}: median {median:7.3f} ms  p95 {p95:7.3f} ms", flush=True)
        with open(os.path.join(out_dir, f"{name}-gpu-profile.csv"), "w", newline="") as f:
            writer = csv.writer(f)
            writer.writerow(["batch_size", "median_ms", "p95_ms"])
            writer.writerows((b, f"{m:.4f}", f"{p:.4f}") for b, m, p in rows_out)
        curve = ",".join(f"{b}:{m:.3f}" for b, m, _ in rows_out)
        print(f"{name} deeprec.accelerator.latency-curve={curve}", flush=True)
        del model
        torch.cuda.empty_cache()


if __name__ == "__main__":
    main()
