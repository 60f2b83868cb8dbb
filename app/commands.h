/* commands.h — the CLI commands (one file each: host/cmd_<name>.c). argv[0] is the command name. */
#ifndef ESNAP_COMMANDS_H
#define ESNAP_COMMANDS_H

#include "status.h"

md_status cmd_version(int argc, char **argv);
md_status cmd_run(int argc, char **argv);
md_status cmd_eval(int argc, char **argv);
md_status cmd_bench(int argc, char **argv);
md_status cmd_analyze(int argc, char **argv);
md_status cmd_arrhenius(int argc, char **argv);
md_status cmd_sweep(int argc, char **argv);
md_status cmd_heatcap(int argc, char **argv);
md_status cmd_report(int argc, char **argv);

#endif
