/* sweep_report.h — the JSON report of a temperature sweep (app/sweep_report.c; `esnapmd report OUT`). */
#ifndef ESNAP_SWEEP_REPORT_H
#define ESNAP_SWEEP_REPORT_H

#include "status.h"

MD_EXTERN_C_BEGIN

/* OUT/report.json from OUT/T<T>K/ and the series files (see sweep_report.c). */
md_status sweep_report_write(const char *out);

MD_EXTERN_C_END

#endif
