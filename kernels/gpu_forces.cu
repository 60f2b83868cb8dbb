// gpu_forces.cu — the eSNAP force field on the device (see gpu_forces.h) and the eval front gpu_ff.
#include <cmath>
#include <cstddef>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <vector>

#include "gpu_launch.cuh"
#include "pair_kern.h"

extern "C" {
#include "coulomb_gpu.h"
#include "gpu_atoms.h"
#include "gpu_forces.h"
#include "snap_cpu.h"
#include "zbl_gpu.h"
#include "snap_gpu.h"
}

struct gpu_forces {
  md_model model;                 // after the options' overrides
  ff_options opt;
  gpu_atoms *a;                   // borrowed
  int nsys, ntot;
  gpu_status *d_status;
  nbr_gpu *nb;
  int l_short, l_coul;            // list index of each (−1: none)
  coul_gpu *coul;
  zbl_gpu *zbl;
  int has_snap, nbisp;
  snap_gpu *snap;
  real_t *d_acc;                  // [PAIR_NACC ntot] per-atom energies/virials (pair kernels)
  real_t *d_esnap;                // [nsys]
  real_t *d_wsnap;                // [9 nsys]
  real_t *d_ecoul;                // [7 nsys] reciprocal + self + background
  real_t *d_eacc;                 // [PAIR_NACC nsys] reduced per-atom parts
  real_t *d_bisp;                 // [ntot nbisp] (eval)
  gpu_chunks chunks;
  char desc[640];
};

// device address of status->halt (no host dereference of the device pointer)
static const int *halt_ptr(const gpu_status *d) { return (const int *)((const char *)d + offsetof(gpu_status, halt)); }

__global__ void k_forces_zero(kern_zero_args A, long n) {
  long k = GPU_INDEX();
  if (k < n) kern_zero_body(k, &A);
}

extern "C" gpu_status *gpu_forces_status(gpu_forces *g) { return g->d_status; }
extern "C" nbr_gpu *gpu_forces_neighbors(gpu_forces *g) { return g->nb; }
extern "C" const nbr_list_gpu *gpu_forces_short_list(const gpu_forces *g) {
  return g->l_short >= 0 ? nbr_gpu_list(g->nb, g->l_short) : nullptr;
}
extern "C" const nbr_list_gpu *gpu_forces_check_list(const gpu_forces *g) {
  if (g->l_short >= 0) return nbr_gpu_list(g->nb, g->l_short);
  return g->l_coul >= 0 ? nbr_gpu_list(g->nb, g->l_coul) : nullptr;
}
extern "C" int gpu_forces_nbispectrum(const gpu_forces *g) { return g->nbisp; }
extern "C" const char *gpu_forces_describe(const gpu_forces *g) { return g->desc; }

extern "C" void gpu_forces_destroy(gpu_forces **pg) {
  if (!pg || !*pg) return;
  gpu_forces *g = *pg;
  if (g->a && g->d_status && g->a->d_halt == halt_ptr(g->d_status)) g->a->d_halt = nullptr;
  nbr_gpu_destroy(&g->nb);
  coul_gpu_destroy(&g->coul);
  zbl_gpu_destroy(&g->zbl);
  snap_gpu_destroy(&g->snap);
  gpu_free(&g->d_status);
  gpu_free(&g->d_acc);
  gpu_free(&g->d_esnap);
  gpu_free(&g->d_wsnap);
  gpu_free(&g->d_ecoul);
  gpu_free(&g->d_eacc);
  gpu_free(&g->d_bisp);
  gpu_chunks_destroy(&g->chunks);
  delete g;
  *pg = nullptr;
}

// The model after the options (ff_model_in_effect, as ff_create applies them), for what the device evaluates.
static md_status apply_options(md_model *mm, const ff_options *o) {
  const md_model in = *mm;
  MD_TRY(ff_model_in_effect(&in, o, mm));
  if (mm->coulomb_lammps.on)
    return md_error(MD_ERR_UNSUPPORTED, "%s: the LAMMPS-compatible Ewald ('lammps': coul/long tables) runs on the CPU only", mm->path);
  return MD_OK;
}

static md_status create_parts(gpu_forces *g, md_system *const *sys, int bispectrum) {
  md_model *mm = &g->model;
  real_t rshort = 0.0;
  if (mm->has_snap) {
    snap_cpu *sc = nullptr;  // the host object only answers the bispectrum width and the cutoff
    MD_TRY(snap_cpu_create(&sc, &mm->snap));
    g->nbisp = snap_cpu_nbispectrum(sc);
    rshort = snap_cpu_cutoff(sc);
    snap_cpu_destroy(&sc);
    g->has_snap = 1;
  }
  if (mm->has_zbl) {
    MD_TRY(zbl_gpu_create(&g->zbl, mm));
    rshort = fmax(rshort, mm->zbl_outer);
  }
  if (mm->coulomb != MD_COUL_NONE)
    MD_TRY(coul_gpu_create(&g->coul, mm->coulomb, mm->coulomb_accuracy, mm->coulomb_rcut, mm->charge, mm->nelem, g->a, sys));
  real_t cut[2];
  int half[2] = {0, 0}, nl = 0;
  g->l_short = g->l_coul = -1;
  if (rshort > 0.0) {
    g->l_short = nl;
    cut[nl++] = rshort;
  }
  if (g->coul) {
    g->l_coul = nl;
    cut[nl++] = coul_gpu_cutoff(g->coul);
  }
  if (nl > 0) {
    std::vector<const md_box *> boxes;
    for (int s = 0; s < g->nsys; s++) boxes.push_back(&sys[s]->box);
    MD_TRY(nbr_gpu_create(&g->nb, g->a, boxes.data(), nl, cut, half, g->opt.skin, 0, g->d_status));
  }
  if (g->has_snap) {
    const nbr_list_gpu *l = nbr_gpu_list(g->nb, g->l_short);
    MD_TRY(snap_gpu_create(&g->snap, &mm->snap, g->ntot, l->maxnbr));
  }
  if (bispectrum && g->nbisp > 0) MD_TRY(gpu_alloc(&g->d_bisp, (size_t)g->ntot * g->nbisp, "bispectrum"));
  const char *cd = g->coul ? coul_gpu_describe(g->coul) : "coulomb none";
  snprintf(g->desc, sizeof g->desc, "%s; neighbour skin %g A (device lists)", cd, g->opt.skin);
  return MD_OK;
}

extern "C" md_status gpu_forces_create(gpu_forces **out, const md_model *m, const ff_options *o, gpu_atoms *a,
                                       md_system *const *sys, int bispectrum) {
  *out = nullptr;
  gpu_forces *g = new gpu_forces();
  g->model = *m;
  if (o) g->opt = *o;
  else ff_options_default(&g->opt);
  if (!(g->opt.skin >= 0.0)) g->opt.skin = 1.0;
  g->a = a;
  g->nsys = a->nsys;
  g->ntot = a->ntot;
  g->chunks = gpu_chunks{};
  std::vector<int> off(g->nsys + 1);
  off[0] = 0;
  for (int s = 0; s < g->nsys; s++) off[s + 1] = off[s] + sys[s]->n;
  md_status st = apply_options(&g->model, &g->opt);
  if (st == MD_OK) st = gpu_alloc(&g->d_status, 1, "device status");
  if (st == MD_OK) {
    gpu_status hs;
    kern_status_init(&hs);
    if (cudaMemcpy(g->d_status, &hs, sizeof hs, cudaMemcpyHostToDevice) != cudaSuccess)
      st = md_error(MD_ERR_DEVICE, "CUDA: cannot initialise the device status");
  }
  if (st == MD_OK) a->d_halt = halt_ptr(g->d_status);  // every force kernel on `a` honours it
  if (st == MD_OK) st = gpu_alloc(&g->d_acc, (size_t)PAIR_NACC * g->ntot, "per-atom energies");
  if (st == MD_OK) st = gpu_alloc(&g->d_esnap, (size_t)g->nsys, "SNAP energies");
  if (st == MD_OK) st = gpu_alloc(&g->d_wsnap, 9 * (size_t)g->nsys, "SNAP virials");
  if (st == MD_OK) st = gpu_alloc(&g->d_ecoul, 7 * (size_t)g->nsys, "Coulomb energies");
  if (st == MD_OK) st = gpu_alloc(&g->d_eacc, (size_t)PAIR_NACC * g->nsys, "reduced energies");
  if (st == MD_OK) st = gpu_chunks_create(&g->chunks, off.data(), g->nsys, PAIR_NACC);
  if (st == MD_OK) st = create_parts(g, sys, bispectrum);
  if (st != MD_OK) {
    gpu_forces_destroy(&g);
    return st;
  }
  *out = g;
  return MD_OK;
}

extern "C" md_status gpu_forces_reserve(gpu_forces *g) {
  if (g->snap) MD_TRY(snap_gpu_reserve(g->snap, g->ntot, nbr_gpu_list(g->nb, g->l_short)->maxnbr));
  (void)g;
  return MD_OK;
}

extern "C" md_status gpu_forces_build(gpu_forces *g, int wrap, void *stream) {
  if (!g->nb) return MD_OK;
  MD_TRY(nbr_gpu_build(g->nb, g->a, wrap, stream));
  return gpu_forces_reserve(g);
}

extern "C" md_status gpu_forces_stage(gpu_forces *g, int stage, void *stream) {
  cudaStream_t s = (cudaStream_t)stream;
  switch (stage) {
    case GPU_STAGE_ZERO: {
      kern_zero_args Z;
      memset(&Z, 0, sizeof Z);
      real_t *const p[4] = {g->a->d_force, g->d_acc, g->d_esnap, g->d_wsnap};
      const long len[4] = {3L * g->ntot, (long)PAIR_NACC * g->ntot, (long)g->nsys, 9L * g->nsys};
      long n = 0;
      for (int r = 0; r < 4; r++) {
        Z.p[r] = p[r];
        Z.len[r] = len[r];
        n = len[r] > n ? len[r] : n;
      }
      Z.n = 4;
      Z.halt = g->a->d_halt;
      k_forces_zero<<<gpu_blocks_for(n, GPU_THREADS), GPU_THREADS, 0, s>>>(Z, n);
      GPU_CHECK_LAUNCH(s);
      return MD_OK;
    }
    case GPU_STAGE_SNAP:
      if (g->snap)
        return snap_gpu_compute(g->snap, g->a, nbr_gpu_list(g->nb, g->l_short), g->d_esnap, g->d_wsnap, nullptr, g->d_bisp,
                                stream);
      return MD_OK;
    case GPU_STAGE_COUL_REAL:
      return g->coul ? coul_gpu_compute_real(g->coul, g->a, nbr_gpu_list(g->nb, g->l_coul), g->d_acc, stream) : MD_OK;
    case GPU_STAGE_COUL_KSPACE:
      return g->coul ? coul_gpu_compute_kspace(g->coul, g->a, stream) : MD_OK;
    case GPU_STAGE_ZBL:
      return g->zbl ? zbl_gpu_compute(g->zbl, g->a, nbr_gpu_list(g->nb, g->l_short), g->d_acc, stream) : MD_OK;
    default:
      return md_error(MD_ERR_INTERNAL, "gpu_forces_stage: stage %d", stage);
  }
}

extern "C" md_status gpu_forces_compute(gpu_forces *g, void *stream) {
  for (int k = 0; k < GPU_NSTAGE; k++) MD_TRY(gpu_forces_stage(g, k, stream));
  return MD_OK;
}

extern "C" md_status gpu_forces_energies(gpu_forces *g, gpu_energy *out, void *stream) {
  cudaStream_t s = (cudaStream_t)stream;
  const int ns = g->nsys;
  MD_TRY(gpu_reduce_atoms(&g->chunks, g->d_acc, g->ntot, PAIR_NACC, g->d_eacc, 0, s));
  if (g->coul) MD_TRY(coul_gpu_energy(g->coul, g->d_ecoul, stream));
  std::vector<real_t> eacc((size_t)PAIR_NACC * ns), esnap(ns), wsnap(9 * (size_t)ns), ecoul(7 * (size_t)ns, 0.0);
  CUDA_CHECK(cudaMemcpyAsync(eacc.data(), g->d_eacc, eacc.size() * sizeof(real_t), cudaMemcpyDeviceToHost, s));
  CUDA_CHECK(cudaMemcpyAsync(esnap.data(), g->d_esnap, esnap.size() * sizeof(real_t), cudaMemcpyDeviceToHost, s));
  CUDA_CHECK(cudaMemcpyAsync(wsnap.data(), g->d_wsnap, wsnap.size() * sizeof(real_t), cudaMemcpyDeviceToHost, s));
  if (g->coul) CUDA_CHECK(cudaMemcpyAsync(ecoul.data(), g->d_ecoul, ecoul.size() * sizeof(real_t), cudaMemcpyDeviceToHost, s));
  CUDA_CHECK(cudaStreamSynchronize(s));
  for (int k = 0; k < ns; k++) {
    const real_t *ea = &eacc[(size_t)k * PAIR_NACC], *ec = &ecoul[(size_t)k * 7];
    gpu_energy *e = &out[k];
    e->e_snap = esnap[k];
    e->e_coul = ea[PAIR_E_COUL] + ec[0];
    e->e_zbl = ea[PAIR_E_ZBL];
    e->pe = e->e_snap + e->e_coul + e->e_zbl;
    // virial: SNAP (9, row-major) + pair parts + reciprocal/background (xx yy zz xy xz yz)
    const real_t *w = ea + PAIR_W;
    real_t w6[6];
    for (int c = 0; c < 6; c++) w6[c] = w[c] + ec[1 + c];
    const int map[9] = {0, 3, 4, 3, 1, 5, 4, 5, 2};
    for (int c = 0; c < 9; c++) e->virial[c] = wsnap[(size_t)k * 9 + c] + w6[map[c]];
  }
  return MD_OK;
}

extern "C" md_status gpu_forces_bispectrum(gpu_forces *g, real_t *out) {
  if (!g->d_bisp) return md_error(MD_ERR_INTERNAL, "gpu_forces: no bispectrum was requested");
  CUDA_CHECK(cudaMemcpy(out, g->d_bisp, (size_t)g->ntot * g->nbisp * sizeof(real_t), cudaMemcpyDeviceToHost));
  return MD_OK;
}

extern "C" long gpu_forces_builds(gpu_forces *g) {
  if (!g->nb) return 0;
  gpu_status hs;
  if (cudaMemcpy(&hs, g->d_status, sizeof hs, cudaMemcpyDeviceToHost) != cudaSuccess) return -1;
  return (long)hs.builds;
}

// ---- eval front: one system per call ----

struct gpu_ff {
  md_model model;
  ff_options opt;
  int nbisp;
  char desc[640];
};

extern "C" md_status gpu_ff_create(gpu_ff **out, const md_model *m, const ff_options *o) {
  *out = nullptr;
  int ndev = 0;
  MD_TRY(gpu_device_count(&ndev));
  if (ndev < 1) return md_error(MD_ERR_DEVICE, "no CUDA device found (no driver or no GPU)");
  gpu_ff *g = new gpu_ff();
  g->model = *m;
  if (o) g->opt = *o;
  else ff_options_default(&g->opt);
  g->desc[0] = '\0';
  g->nbisp = 0;
  md_status st = apply_options(&g->model, &g->opt);
  if (st == MD_OK && g->model.has_snap) {
    snap_cpu *sc = nullptr;
    if (st == MD_OK) st = snap_cpu_create(&sc, &g->model.snap);
    if (st == MD_OK) g->nbisp = snap_cpu_nbispectrum(sc);
    snap_cpu_destroy(&sc);
  }
  if (st != MD_OK) {
    delete g;
    return st;
  }
  *out = g;
  return MD_OK;
}

extern "C" void gpu_ff_destroy(gpu_ff **pg) {
  if (!pg || !*pg) return;
  delete *pg;
  *pg = nullptr;
}

extern "C" const char *gpu_ff_describe(const gpu_ff *g) { return g->desc; }
extern "C" int gpu_ff_nbispectrum(const gpu_ff *g) { return g->nbisp; }

extern "C" md_status gpu_ff_compute(gpu_ff *g, const md_system *sys, ff_result *r) {
  if (r->n != sys->n) return md_error(MD_ERR_INTERNAL, "force result sized for %d atoms, system has %d", r->n, sys->n);
  for (int i = 0; i < sys->n; i++)
    if (sys->type[i] < 0 || sys->type[i] >= g->model.nelem)
      return md_error(MD_ERR_INTERNAL, "atom %d has type %d outside the model's %d elements", sys->id[i], sys->type[i],
                      g->model.nelem);
  if (r->nbisp > 0 && r->nbisp != g->nbisp)
    return md_error(MD_ERR_INTERNAL, "bispectrum buffer has %d components, SNAP has %d", r->nbisp, g->nbisp);
  md_system *one = const_cast<md_system *>(sys);
  gpu_atoms *a = nullptr;
  gpu_forces *f = nullptr;
  MD_TRY(gpu_atoms_create(&a, &one, 1));
  md_status st = gpu_forces_create(&f, &g->model, &g->opt, a, &one, r->nbisp > 0);
  if (st == MD_OK) st = gpu_forces_build(f, 0, nullptr);
  if (st == MD_OK) st = gpu_forces_compute(f, nullptr);
  gpu_energy e;
  if (st == MD_OK) st = gpu_forces_energies(f, &e, nullptr);
  if (st == MD_OK) {
    real_t *fx = r->fx, *fy = r->fy, *fz = r->fz;
    st = gpu_atoms_download(a, &one, 1, MD_GPU_FORCE, &fx, &fy, &fz);
  }
  if (st == MD_OK && r->nbisp > 0) st = gpu_forces_bispectrum(f, r->bispectrum);
  if (st == MD_OK) {
    r->energy = e.pe;
    r->e_snap = e.e_snap;
    r->e_coul = e.e_coul;
    r->e_zbl = e.e_zbl;
    memcpy(r->virial, e.virial, sizeof r->virial);
    snprintf(g->desc, sizeof g->desc, "%s", gpu_forces_describe(f));
  }
  gpu_forces_destroy(&f);
  gpu_atoms_destroy(&a);
  return st;
}
