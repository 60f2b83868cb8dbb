#!/usr/bin/env python3
"""Per-atom operation and byte counts of the SNAP GPU stages (kernels/NOTES.md, section SNAP).

Flops count each mul and add, an FMA as 2, from the kernels' loops: 18 per forward recursion step
(snap_u_elem), 34 per adjoint step (snap_u_elem_adj_v), 4 per accumulation, 6 per seed/G update, 11 per Z term.
Usage: snap_gpu_counts.py [twojmax [pairs [listed]]]   (defaults 6 36 106: Li3N snap333_1000K, 1 A skin)."""
import sys


def counts(tj, n=36, nl=106, flops=33.5e12, bw=3.35e12):
    nuh = sum((j + 1) * (j // 2 + 1) for j in range(tj + 1))
    nu = sum((j + 1) ** 2 for j in range(tj + 1))
    zt = nz = 0
    for j1 in range(tj + 1):
        for j2 in range(j1 + 1):
            for j in range(j1 - j2, min(tj, j1 + j2) + 1, 2):
                for mb in range(j // 2 + 1):
                    for ma in range(j + 1):
                        if 2 * mb == j and ma > mb:
                            continue
                        a = max(0, (2 * ma - j - j2 + j1) // 2)
                        na = min(j1, (2 * ma - j + j2 + j1) // 2) - a + 1
                        b = max(0, (2 * mb - j - j2 + j1) // 2)
                        nb = min(j1, (2 * mb - j + j2 + j1) // 2) - b + 1
                        zt += na * nb
                        nz += 1
    nch, clen = tj // 2 + 1, sum(j + 1 for j in range(1, tj + 1))
    f = {
        "pairs": nl * 20,
        "ck": n * 150,
        "ui": n * (nch * clen * 18 + nuh * 4),
        "yi": zt * 11 + nz * 4,
        "deidrj": n * (nch * clen * (18 + 34) + nuh * 6 + 200),
        "finish": n * 30 + nuh * 4,
    }
    b = {
        "pairs": nl * 8 + n * 32,
        "ck": n * 32 + n * 44,
        "ui": n * 40 + nu * 16,
        "yi": nu * 16 + nuh * 16,
        "deidrj": n * 56 + nuh * 16 + n * 24,
        "finish": n * 80 + nuh * 32 + 80,
    }
    print(f"twojmax {tj}: U half {nuh}, full {nu}; Z entries {nz}, Z terms {zt}; chains {nch} x {clen} steps;"
          f" {n} pairs, {nl} listed")
    for k in f:
        print(f"  {k:7s} {f[k] / 1e3:8.1f} kflop  {b[k] / 1e3:6.1f} kB")
    tf, tb = sum(f.values()), sum(b.values())
    print(f"  total   {tf / 1e3:8.1f} kflop  {tb / 1e3:6.1f} kB;  L1 reads of U in yi {zt * 32 / 1e3:.0f} kB")
    print(f"  floors: {tf / flops * 1e9:.1f} ns/atom arithmetic, {tb / bw * 1e9:.1f} ns/atom DRAM"
          f" (H100 SXM: {flops / 1e12:.1f} Tflop/s FP64, {bw / 1e12:.2f} TB/s)")


if __name__ == "__main__":
    args = [int(a) for a in sys.argv[1:]]
    counts(*args) if args else (counts(6), counts(8))
