// Bad inputs: every case gets one clear line naming the file (and the line where there is one) — at the
// library level (md_errmsg after structure_read / model_read) and through `esnapmd eval` (exactly one line on
// stderr, exit status 1, no crash, no output file or temporary left behind). The bad files are made in a
// scratch directory from the reference data and the bundled model.
#include <catch2/catch.hpp>

#include <dirent.h>

#include <cstring>
#include <functional>

#include "test_io_util.h"

extern "C" {
#include "model.h"
#include "structure.h"
#include "system.h"
#if ESNAP_HAVE_CUDA
#include "gpu_atoms.h"
#endif
}

using esnap_test::data;
using esnap_test::read_file;
using esnap_test::split_lines;
using esnap_test::write_file;

namespace {

std::vector<std::string> file_lines(const std::string &path) { return split_lines(read_file(path)); }

std::string join(const std::vector<std::string> &lines) {
  std::string s;
  for (const auto &l : lines) s += l + "\n";
  return s;
}

// A copy of the bundled model (model file + SNAP files) in dir, with `edit` applied to one of its files.
std::string model_copy(const std::string &dir, const std::string &which,
                       const std::function<void(std::vector<std::string> &)> &edit) {
  for (const char *f : {"li3n_esnap.model", "li3n_esnap.snapcoeff", "li3n_esnap.snapparam"}) {
    auto lines = file_lines(esnap_test::source(std::string("potentials/") + f));
    if (which == f) edit(lines);
    write_file(dir + "/" + f, join(lines));
  }
  return dir + "/li3n_esnap.model";
}

// The line with its first words replaced by `words` (the rest kept).
std::string replace_words(const std::string &line, const std::vector<std::string> &words) {
  std::vector<std::string> w;
  size_t p = 0;
  while (p < line.size()) {
    while (p < line.size() && line[p] == ' ') p++;
    size_t q = line.find(' ', p);
    if (q == std::string::npos) q = line.size();
    if (q > p) w.push_back(line.substr(p, q - p));
    p = q;
  }
  for (size_t k = 0; k < words.size() && k < w.size(); k++) w[k] = words[k];
  std::string out;
  for (size_t k = 0; k < w.size(); k++) out += (k ? " " : "") + w[k];
  return out;
}

int find_line(const std::vector<std::string> &lines, const std::string &start) {
  for (size_t k = 0; k < lines.size(); k++)
    if (lines[k].rfind(start, 0) == 0) return (int)k;
  throw std::runtime_error("no line starting with " + start);
}

struct BadCase {
  std::string name;
  std::string input;   // structure file
  std::string model;   // model file ("" = bundled)
  std::string expect;  // substring of the message: "file:line:" or "file: ..."
};

int count_entries(const std::string &dir) {
  int n = 0;
  DIR *d = opendir(dir.c_str());
  if (!d) return -1;
  while (struct dirent *e = readdir(d))
    if (e->d_name[0] != '.') n++;
  closedir(d);
  return n;
}

// Build every bad case in its own directory under scratch/ROOT (one ROOT per test case: ctest runs them at once).
std::vector<BadCase> make_cases(const std::string &root_name) {
  std::string root = esnap_test::scratch(root_name);
  std::vector<BadCase> cases;
  auto dir_for = [&](const std::string &name) {
    std::string d = root + "/" + name;
    std::string cmd = "mkdir -p '" + d + "'";
    if (std::system(cmd.c_str()) != 0) throw std::runtime_error("mkdir");
    return d;
  };
  auto xyz = file_lines(data("snap333_1000K.xyz"));
  auto dat = file_lines(data("snap333_1000K.data"));
  auto cell = file_lines(data("unitcell.xyz"));
  const std::string good_xyz = data("unitcell.xyz");

  {  // missing files
    std::string d = dir_for("missing");
    cases.push_back({"missing xyz", d + "/none.xyz", "", "none.xyz: cannot open"});
    cases.push_back({"missing data", d + "/none.data", "", "none.data: cannot open"});
    cases.push_back({"missing model", good_xyz, d + "/none.model", "none.model: cannot open"});
  }
  {  // truncated files
    std::string d = dir_for("truncated");
    write_file(d + "/trunc.xyz", join(std::vector<std::string>(xyz.begin(), xyz.begin() + 60)));
    cases.push_back({"truncated xyz", d + "/trunc.xyz", "", "trunc.xyz:60: file ends after 58 of 108 atom lines"});
    write_file(d + "/trunc.data", join(std::vector<std::string>(dat.begin(), dat.begin() + 70)));
    cases.push_back({"truncated data", d + "/trunc.data", "", "trunc.data:70: file ends after 53 of 108 lines of section Atoms"});
    write_file(d + "/header.data", join(std::vector<std::string>(dat.begin(), dat.begin() + 9)));
    cases.push_back({"data without Atoms", d + "/header.data", "", "header.data: no Atoms section"});
  }
  {  // wrong atom counts
    std::string d = dir_for("count");
    auto more = xyz;
    more[0] = "109";
    write_file(d + "/more.xyz", join(more));
    cases.push_back({"xyz count too large", d + "/more.xyz", "", "more.xyz:110: file ends after 108 of 109 atom lines"});
    auto less = xyz;
    less[0] = "107";
    write_file(d + "/less.xyz", join(less));
    cases.push_back({"xyz count too small", d + "/less.xyz", "", "less.xyz:110: expected the number of atoms"});
    auto dless = dat;
    dless[2] = "107 atoms";
    write_file(d + "/less.data", join(dless));
    cases.push_back({"data count too small", d + "/less.data", "", "less.data:125: expected a section name after 107 lines of Atoms"});
    auto dmore = dat;
    dmore[2] = "109 atoms";
    write_file(d + "/more.data", join(dmore));
    cases.push_back({"data count too large", d + "/more.data", "", "more.data:127: section Atoms has 108 lines but the header says 109 atoms"});
  }
  {  // NaN coordinates
    std::string d = dir_for("nan");
    auto c = cell;
    c[3] = replace_words(c[3], {"Li", "nan"});
    write_file(d + "/nan.xyz", join(c));
    cases.push_back({"xyz NaN coordinate", d + "/nan.xyz", "", "nan.xyz:4: non-finite value 'nan' in column pos"});
    auto dd = dat;
    dd[19] = "3 1 0.239 1.8062508031021691 NaN 11.63406123600866 0 0 -1";
    write_file(d + "/nan.data", join(dd));
    cases.push_back({"data NaN coordinate", d + "/nan.data", "", "nan.data:20: y coordinate 'NaN' is not finite"});
  }
  {  // unknown elements
    std::string d = dir_for("element");
    auto c = cell;
    c[5].replace(0, 1, "O");
    write_file(d + "/elem.xyz", join(c));
    cases.push_back({"xyz unknown element", d + "/elem.xyz", "", "elem.xyz:6: unknown element 'O' (the model has: Li N)"});
    auto dd = dat;  // a third type with a mass that is none of the model's
    dd[3] = "3 atom types";
    dd[17] = replace_words(dd[17], {"1", "3"});
    dd.insert(dd.begin() + 14, "3 20.18");
    write_file(d + "/type3.data", join(dd));
    cases.push_back({"data type of unknown mass", d + "/type3.data", "", "type3.data:15: type 3 has mass 20.18, which matches none"});
    dd = dat;  // a third type and no Masses: types follow the model's two elements
    dd[3] = "3 atom types";
    dd[17] = replace_words(dd[17], {"1", "3"});
    dd.erase(dd.begin() + 10, dd.begin() + 15);
    write_file(d + "/type3_nomass.data", join(dd));
    cases.push_back({"data type beyond the model", d + "/type3_nomass.data", "", "type3_nomass.data:13: atom type 3 has no element: the model has 2"});
  }
  {  // model file and SNAP files
    std::string d = dir_for("model_keyword");
    int line = 0;
    std::string m = model_copy(d, "li3n_esnap.model", [&](std::vector<std::string> &l) {
      l.push_back("chargee Li 0.239");
      line = (int)l.size();
    });
    cases.push_back({"model unknown keyword", good_xyz, m, "li3n_esnap.model:" + std::to_string(line) + ": unknown keyword 'chargee'"});
    d = dir_for("param_keyword");
    m = model_copy(d, "li3n_esnap.snapparam", [&](std::vector<std::string> &l) {
      l.push_back("rcutfacc 4.0");
      line = (int)l.size();
    });
    cases.push_back({"snapparam unknown keyword", good_xyz, m, "li3n_esnap.snapparam:" + std::to_string(line) + ": unknown SNAP keyword 'rcutfacc'"});
    d = dir_for("coeff_few");
    m = model_copy(d, "li3n_esnap.snapcoeff", [&](std::vector<std::string> &l) {
      l.pop_back();
      line = (int)l.size();
    });
    cases.push_back({"snapcoeff too few coefficients", good_xyz, m, "li3n_esnap.snapcoeff:" + std::to_string(line) + ": file ends after 30 of 31 coefficients for element N"});
    d = dir_for("coeff_many");
    m = model_copy(d, "li3n_esnap.snapcoeff", [&](std::vector<std::string> &l) {
      l.push_back("0.125");
      line = (int)l.size();
    });
    cases.push_back({"snapcoeff too many coefficients", good_xyz, m, "li3n_esnap.snapcoeff:" + std::to_string(line) + ": unexpected extra line"});
    d = dir_for("coeff_header");
    m = model_copy(d, "li3n_esnap.snapcoeff", [&](std::vector<std::string> &l) {
      line = find_line(l, "2 31");
      l[line] = "2 32";
      line++;
    });
    cases.push_back({"snapcoeff header count", good_xyz, m, "li3n_esnap.snapcoeff:" + std::to_string(line) + ": 32 coefficients per element, but twojmax 6"});
    d = dir_for("quadratic");
    m = model_copy(d, "li3n_esnap.snapparam", [&](std::vector<std::string> &l) {
      line = find_line(l, "quadraticflag");
      l[line] = "quadraticflag 1";
      line++;
    });
    cases.push_back({"snapparam quadraticflag", good_xyz, m, "li3n_esnap.snapparam:" + std::to_string(line) + ": quadraticflag 1 is not supported yet"});
    d = dir_for("chem");
    m = model_copy(d, "li3n_esnap.snapparam", [&](std::vector<std::string> &l) {
      l.push_back("chemflag 1");
      line = (int)l.size();
    });
    cases.push_back({"snapparam chemflag", good_xyz, m, "li3n_esnap.snapparam:" + std::to_string(line) + ": chemflag 1 is not supported yet"});
  }
  {  // overlapping atoms
    std::string d = dir_for("overlap");
    auto c = cell;
    c[3] = replace_words(c[3], {"Li", "0.03", "0.04", "1.944317"});
    write_file(d + "/overlap.xyz", join(c));
    cases.push_back({"xyz overlapping atoms", d + "/overlap.xyz", "", "overlap.xyz:1: atoms 1 and 2 are 0.05 Å apart"});
    write_file(d + "/overlap.data",
               "overlap\n\n4 atoms\n2 atom types\n\n0 3.65069 xlo xhi\n0 3.16159 ylo yhi\n0 3.888635 zlo zhi\n"
               "-1.825345 0 0 xy xz yz\n\nMasses\n\n1 6.941\n2 14.0067\n\nAtoms # charge\n\n"
               "7 1 0.239 0 0 1.944317\n8 1 0.239 0 2.107727 0\n9 1 0.239 1.825345 1.053863 0\n"
               "10 2 -0.717 1.825345 1.053863 0.05\n");
    cases.push_back({"data overlapping atoms", d + "/overlap.data", "", "overlap.data: atoms 9 and 10 are 0.05 Å apart"});
  }
  return cases;
}

}  // namespace

TEST_CASE("bad inputs give one line naming file and line", "[io][errors]") {
  auto cases = make_cases("io_errors");
  for (const auto &c : cases) {
    md_model m;
    std::string model = c.model.empty() ? esnap_test::source("potentials/li3n_esnap.model") : c.model;
    md_clear_error();
    md_status st = model_read(&m, model.c_str());
    md_system *s = nullptr;
    if (st == MD_OK) st = structure_read(&s, c.input.c_str(), &m, -1);
    std::string msg = md_errmsg();
    INFO(c.name << ": status " << st << ", message: " << msg);
    CHECK(st != MD_OK);
    CHECK(s == nullptr);
    CHECK(msg.find(c.expect) != std::string::npos);
    CHECK(msg.find('\n') == std::string::npos);
    system_destroy(&s);
  }
}

TEST_CASE("bad inputs through the eval command", "[io][errors][cli]") {
  auto cases = make_cases("io_errors_eval");
  std::string dir = esnap_test::scratch("io_errors_cli");
  for (const auto &c : cases) {
    std::string args = "eval '" + c.input + "' -o '" + dir + "/out.xyz'";
    if (!c.model.empty()) args += " --model '" + c.model + "'";
    std::string out, err;
    int rc = esnap_test::run_cli_split(args, dir, &out, &err);
    auto lines = split_lines(err);
    INFO(c.name << ": exit " << rc << "\nstderr: " << err << "\nstdout: " << out);
    CHECK(rc == 1);
    REQUIRE(lines.size() == 1);
    CHECK(lines[0].rfind("esnapmd: ", 0) == 0);
    CHECK(lines[0].find(c.expect) != std::string::npos);
    CHECK(out.empty());
    CHECK(count_entries(dir) == 1);  // only stderr.txt: no output file, no temporary
  }
}

TEST_CASE("eval rejects bad options cleanly", "[cli][errors]") {
  std::string dir = esnap_test::scratch("eval_options");
  const std::string in = data("unitcell.xyz");
  struct Opt {
    std::string args, expect;
  } opts[] = {
      {"eval", "no input structure"},
      {"eval " + in + " --frobnicate", "unknown option '--frobnicate'"},
      {"eval " + in + " --coulomb p3m", "--coulomb 'p3m'"},
      {"eval " + in + " --accuracy 2", "--accuracy '2'"},
      {"eval " + in + " --accuracy x", "--accuracy 'x'"},
      {"eval " + in + " -o", "option -o needs a value"},
      {"eval " + in + " " + in, "more than one input file"},
      {"eval " + in + " --device tpu", "--device 'tpu'"},
      {"eval " + in + " --types Li,Xx", ""},  // xyz input: the type list is only for data files
      {"eval " + data("snap333_1000K.data") + " --types Li,O", "maps type 2 to 'O'"},
      {"eval " + in + " -o " + dir + "/no/such/dir/out.xyz", "out.xyz: cannot create a temporary file"},
  };
  for (const auto &o : opts) {
    std::string out, err;
    int rc = esnap_test::run_cli_split(o.args, dir, &out, &err);
    auto lines = split_lines(err);
    INFO(o.args << ": exit " << rc << "\nstderr: " << err);
    if (o.expect.empty()) {
      CHECK(rc == 0);
      continue;
    }
    CHECK(rc == 1);
    REQUIRE(lines.size() == 1);
    CHECK(lines[0].find(o.expect) != std::string::npos);
  }
  // --device gpu: a clean device error in a CPU-only build or on a machine without a GPU (with a device the
  // GPU evaluates the frame: tests/test_backend_md.cpp)
  int ndev = 0;
#if ESNAP_HAVE_CUDA
  gpu_device_count(&ndev);
#endif
  if (ndev > 0) return;
  std::string out, err;
  int rc = esnap_test::run_cli_split("eval " + in + " --device gpu", dir, &out, &err);
  INFO(err);
  CHECK(rc == 1);
  CHECK(split_lines(err).size() == 1);
  CHECK((err.find("not built with CUDA") != std::string::npos || err.find("no CUDA device") != std::string::npos ||
         err.find("CUDA force backend is not available") != std::string::npos));
}
