/* main.c — the esnapmd command line: esnapmd <command> [args]. Only main() exits; every command returns a
 * status whose message (one line, naming the file and line of bad input) is printed here. */
#include <stdio.h>
#include <string.h>

#include "commands.h"
#include "mpi_ens.h"
#include "status.h"

typedef struct command {
  const char *name;
  md_status (*fn)(int argc, char **argv);
  const char *help;
} command;

static const command commands[] = {
    {"run", cmd_run, "run molecular dynamics from a deck (esnapmd run DECK [--restart FILE])"},
    {"version", cmd_version, "print version, commit and build features"},
    {"eval", cmd_eval, "energy, forces, virial (and bispectrum) of structures: extended XYZ or LAMMPS data"},
    {"bench", cmd_bench, "throughput of full MD steps (GPU, CPU, LAMMPS) for Li3N supercells, as a Markdown table"},
    {"analyze", cmd_analyze, "diffusion from trajectories: MSD, D*, D_sigma, Haven ratio, conductivity"},
    {"arrhenius", cmd_arrhenius, "Arrhenius fits (one or two regimes) of analyze summaries at several T"},
    {"heatcap", cmd_heatcap, "heat capacity from thermo files: <E>, Var(E)/(k_B T^2), Cv(T) by differences, Ts"},
    {"report", cmd_report, "one JSON report of a sweep's outputs (OUT/report.json); figures: tools/plot_sweep.py OUT"},
    {"sweep", cmd_sweep, "run a deck at a series of temperatures, then the Arrhenius analysis (esnapmd sweep DECK)"},
};

static void usage(FILE *fp) {
  fprintf(fp, "esnapmd %s (%s) — GPU molecular dynamics for the eSNAP ionic potential\n\n", ESNAP_VERSION, ESNAP_COMMIT);
  fprintf(fp, "usage: esnapmd <command> [options]   (esnapmd <command> --help for its options)\n\ncommands:\n");
  for (size_t k = 0; k < sizeof commands / sizeof commands[0]; k++)
    fprintf(fp, "  %-10s %s\n", commands[k].name, commands[k].help);
}

int main(int argc, char **argv) {
  if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "help") == 0) {
    usage(argc < 2 ? stderr : stdout);
    return argc < 2 ? 2 : 0;
  }
  for (size_t k = 0; k < sizeof commands / sizeof commands[0]; k++) {
    if (strcmp(argv[1], commands[k].name) == 0) {
      md_status st = commands[k].fn(argc - 1, argv + 1);
      if (st != MD_OK) {
        /* MPI runs agree on errors (app/mpi_ens.h): rank 0 prints the one message */
        const char *msg = md_errmsg();
        if (ens_rank() == 0 && !ens_error_reported()) fprintf(stderr, "esnapmd: %s\n", msg[0] ? msg : md_status_name(st));
        return 1;
      }
      return 0;
    }
  }
  fprintf(stderr, "esnapmd: unknown command '%s' (try esnapmd --help)\n", argv[1]);
  return 2;
}
