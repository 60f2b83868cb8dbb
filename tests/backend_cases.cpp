// backend_cases.cpp — the backends of the shared test bodies (see backend_cases.h).
#include "backend_cases.h"

#include <sys/wait.h>
#include <unistd.h>

#include <cstring>
#include <sstream>
#include <vector>

#include "backend_emul.h"
#include "test_md_util.h"

extern "C" {
#include "commands.h"
#include "run.h"
#if ESNAP_HAVE_CUDA
#include "backend_gpu.h"
#include "gpu_atoms.h"
#include "gpu_forces.h"
#endif
}

namespace esnap_test {

void require(Backend b) {
  if (b != Backend::gpu) return;
#if !ESNAP_HAVE_CUDA
  skip("built without CUDA");
#else
  int n = 0;
  gpu_device_count(&n);
  if (n < 1) skip("no CUDA device");
  static bool said = false;
  if (!said) {
    std::printf("GPU: %s\n", gpu_device_name());
    said = true;
  }
#endif
}

const md_backend_ops *md_ops(Backend b) {
  switch (b) {
    case Backend::cpu: return md_backend_cpu();
    case Backend::emulated: return emul::backend();
    case Backend::gpu:
#if ESNAP_HAVE_CUDA
      return md_backend_cuda();
#else
      skip("built without CUDA");
#endif
  }
  return nullptr;
}

md_status evaluate(Backend b, const md_model &m, const ff_options &o, const md_system *s, ff_result *r) {
  switch (b) {
    case Backend::cpu: {
      ff_options oo = o;
      oo.bispectrum = r->nbisp > 0;
      md_forcefield *ff = nullptr;
      MD_TRY(ff_create(&ff, &m, &oo));
      md_status st = ff_compute(ff, s, r);
      ff_destroy(&ff);
      return st;
    }
    case Backend::emulated: return emul::ff_compute(m, o, s, r);
    case Backend::gpu: {
#if ESNAP_HAVE_CUDA
      gpu_ff *g = nullptr;
      MD_TRY(gpu_ff_create(&g, &m, &o));
      md_status st = gpu_ff_compute(g, s, r);
      gpu_ff_destroy(&g);
      return st;
#else
      skip("built without CUDA");
#endif
    }
  }
  return MD_ERR_INTERNAL;
}

// The emulated backend has no binary: the run command runs in a forked child with the run loop's backend set.
static int run_forked(const std::string &args, std::string *out) {
  std::vector<std::string> words;
  std::istringstream ss(args);
  for (std::string w; ss >> w;) words.push_back(w);
  REQUIRE(!words.empty());
  REQUIRE(words[0] == "run");  // the other commands have no backend
  int fd[2];
  REQUIRE(pipe(fd) == 0);
  std::fflush(stdout);
  std::fflush(stderr);
  pid_t pid = fork();
  REQUIRE(pid >= 0);
  if (pid == 0) {
    close(fd[0]);
    dup2(fd[1], 1);
    dup2(fd[1], 2);
    close(fd[1]);
    std::vector<char *> argv;
    for (std::string &w : words) argv.push_back(&w[0]);
    argv.push_back(nullptr);
    run_set_backend(emul::backend());
    md_status st = cmd_run((int)words.size(), argv.data());
    if (st != MD_OK) std::fprintf(stderr, "esnapmd: %s\n", md_errmsg()[0] ? md_errmsg() : md_status_name(st));
    std::fflush(stdout);
    std::fflush(stderr);
    _exit(st == MD_OK ? 0 : 1);
  }
  close(fd[1]);
  std::string text;
  char buf[4096];
  ssize_t n;
  while ((n = read(fd[0], buf, sizeof buf)) > 0) text.append(buf, (size_t)n);
  close(fd[0]);
  int status = 0;
  waitpid(pid, &status, 0);
  if (out) *out = text;
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

int run_esnapmd(Backend b, const std::string &args, std::string *out) {
  md_test::passive_openmp();
  if (b == Backend::emulated) return run_forked(args, out);
  std::string a = args;
  if (a.rfind("run ", 0) == 0) a += b == Backend::gpu ? " --device gpu" : " --device cpu";
  return run_cli(a, out);
}

const md_model &li3n_model() {
  static md_model m;
  static bool ok = false;
  if (!ok) {
    REQUIRE(model_read(&m, source("potentials/li3n_esnap.model").c_str()) == MD_OK);
    ok = true;
  }
  return m;
}

const md_model &li3n_model_no_snap() {
  static md_model m;
  static bool ok = false;
  if (!ok) {
    m = li3n_model();
    m.has_snap = 0;
    ok = true;
  }
  return m;
}

}  // namespace esnap_test
