#include "commands.h"
md_status cmd_arrhenius(int argc, char **argv) { return md_error(MD_ERR_UNSUPPORTED, "arrhenius: not yet"); }
