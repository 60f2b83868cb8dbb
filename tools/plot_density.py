#!/usr/bin/env python3
"""Slices of a time-averaged density cube written by esnapmd (density/density_E.cube), as PNG (matplotlib).

  plot_density.py CUBE [-o PREFIX] [--c C]

Three planes of the (super)cell, density in ions/Å^3 (the cube holds ions/Bohr^3, lengths in Bohr; ASE reads it):
  PREFIX_z0.png       the plane z = 0: the Li(2)/N plane of α-Li3N (Li(2)–Li(2) channels)
  PREFIX_li1.png      the plane z = C/2 (C: the unit cell's c, default 3.888635 Å): the Li(1) plane
  PREFIX_channel.png  the vertical plane through the origin spanned by a + 2b and c: it holds the N at the origin,
                      the Li(1) above it and the Li(2) at (1/3, 2/3, 0), i.e. the Li(1)–Li(2) channel
Values between grid points are interpolated trilinearly with periodic wrap-around. PREFIX defaults to the cube
path without its extension.
"""
import argparse
import os
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

BOHR = 0.529177210903  # Å
LI3N_C = 3.888635  # Å


def trilinear(data, s):
    """data[n0, n1, n2] on fractional grid points k/n; s[..., 3] fractional coordinates (any values)."""
    n = np.array(data.shape)
    g = s * n
    i0 = np.floor(g).astype(int)
    f = g - i0
    out = np.zeros(s.shape[:-1])
    for d0 in (0, 1):
        for d1 in (0, 1):
            for d2 in (0, 1):
                w = (f[..., 0] if d0 else 1 - f[..., 0]) * (f[..., 1] if d1 else 1 - f[..., 1]) * (f[..., 2] if d2 else 1 - f[..., 2])
                out += w * data[(i0[..., 0] + d0) % n[0], (i0[..., 1] + d1) % n[1], (i0[..., 2] + d2) % n[2]]
    return out


def plane(data, cell, origin_frac, u_frac, v_frac, nu, nv):
    """Sample the plane origin + s u + t v (s, t in [0, 1]) on nu x nv points; returns X, Y (Å along u, v) and values."""
    s = np.linspace(0, 1, nu)
    t = np.linspace(0, 1, nv)
    S, T = np.meshgrid(s, t, indexing="xy")
    frac = origin_frac + S[..., None] * u_frac + T[..., None] * v_frac
    vals = trilinear(data, frac)
    u = u_frac @ cell
    v = v_frac @ cell
    # Cartesian coordinates in the plane: along u, and along the part of v normal to u
    eu = u / np.linalg.norm(u)
    X = S * np.linalg.norm(u) + T * (v @ eu)
    Y = T * np.linalg.norm(v - (v @ eu) * eu)
    return X, Y, vals


def draw(X, Y, vals, title, xlabel, ylabel, path):
    fig, ax = plt.subplots(figsize=(6.0, 5.0))
    m = ax.pcolormesh(X, Y, vals, shading="gouraud", cmap="viridis")
    ax.set_aspect("equal")
    ax.set_title(title, fontsize=10)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    fig.colorbar(m, ax=ax, label="density (ions/Å$^3$)")
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("cube")
    p.add_argument("-o", "--prefix", default=None)
    p.add_argument("--c", type=float, default=LI3N_C, help="unit-cell c (Å) for the Li(1) plane (default %(default)s)")
    a = p.parse_args(argv)
    try:
        from ase.io.cube import read_cube_data
    except ImportError as e:
        sys.exit(f"plot_density.py: ASE is needed to read cube files ({e}); pip install ase")
    data, atoms = read_cube_data(a.cube)
    data = np.asarray(data) / BOHR**3  # ions/Bohr^3 -> ions/Å^3
    cell = np.array(atoms.get_cell())  # Å (ASE converts from Bohr)
    prefix = a.prefix or os.path.splitext(a.cube)[0]
    name = os.path.basename(prefix)
    la, lb, lc = np.linalg.norm(cell, axis=1)
    res = lambda length: max(50, min(600, int(length / 0.05)))  # noqa: E731
    zf = (a.c / 2.0) / lc  # fractional height of the first Li(1) plane
    X, Y, v = plane(data, cell, np.zeros(3), np.array([1.0, 0, 0]), np.array([0, 1.0, 0]), res(la), res(lb))
    draw(X, Y, v, f"{name}: plane z = 0 (Li(2)/N)", "along a (Å)", "in-plane ⊥ a (Å)", prefix + "_z0.png")
    X, Y, v = plane(data, cell, np.array([0, 0, zf]), np.array([1.0, 0, 0]), np.array([0, 1.0, 0]), res(la), res(lb))
    draw(X, Y, v, f"{name}: plane z = {a.c / 2:.3f} Å (Li(1))", "along a (Å)", "in-plane ⊥ a (Å)", prefix + "_li1.png")
    u = np.array([1.0, 2.0, 0.0])  # a + 2b of the (super)cell: a lattice vector, so the plane is periodic
    X, Y, v = plane(data, cell, np.zeros(3), u, np.array([0, 0, 1.0]), res(np.linalg.norm(u @ cell)), res(lc))
    draw(X, Y, v, f"{name}: plane through a + 2b and c (Li(1)–Li(2) channel)", "along a + 2b (Å)", "along c (Å)",
         prefix + "_channel.png")
    print(f"wrote {prefix}_z0.png, {prefix}_li1.png, {prefix}_channel.png")


if __name__ == "__main__":
    main()
