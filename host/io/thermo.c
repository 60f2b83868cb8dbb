#include "thermo.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

md_status outfile_open(const char *path, int restart, long long keep_bytes, int *fd) {
  *fd = -1;
  if (!restart) {
    int f = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (f < 0) return md_error(MD_ERR_IO, "%s: cannot create: %s", path, strerror(errno));
    *fd = f;
    return MD_OK;
  }
  int f = open(path, O_WRONLY | O_CREAT, 0644);
  if (f < 0) return md_error(MD_ERR_IO, "%s: cannot open for appending: %s", path, strerror(errno));
  struct stat st;
  if (fstat(f, &st) != 0) {
    close(f);
    return md_error(MD_ERR_IO, "%s: cannot stat: %s", path, strerror(errno));
  }
  if ((long long)st.st_size < keep_bytes) {
    close(f);
    return md_error(MD_ERR_IO, "%s: has %lld bytes but the checkpoint recorded %lld: the output was truncated or replaced since",
                    path, (long long)st.st_size, keep_bytes);
  }
  if (ftruncate(f, (off_t)keep_bytes) != 0 || lseek(f, 0, SEEK_END) < 0) {
    close(f);
    return md_error(MD_ERR_IO, "%s: cannot truncate to %lld bytes: %s", path, keep_bytes, strerror(errno));
  }
  *fd = f;
  return MD_OK;
}

md_status outfile_write(int fd, const char *path, const char *data, size_t len) {
  while (len > 0) {
    ssize_t w = write(fd, data, len);
    if (w < 0) {
      if (errno == EINTR) continue;
      return md_error(MD_ERR_IO, "%s: write failed: %s", path, strerror(errno));
    }
    data += w;
    len -= (size_t)w;
  }
  return MD_OK;
}

md_status outfile_sync(int fd, const char *path) {
  if (fd >= 0 && fsync(fd) != 0 && errno != EINVAL && errno != EROFS)
    return md_error(MD_ERR_IO, "%s: fsync failed: %s", path, strerror(errno));
  return MD_OK;
}

void thermo_format_line(char *buf, size_t n, const md_thermo *v) {
  snprintf(buf, n, "%12ld %12.6f %14.6f %18.9f %16.9f %18.9f %18.9f %14.4f\n", v->step, v->time, v->temp, v->pe, v->ke,
           v->etotal, v->econserve, v->press);
}

static const char *columns =
    "#       step      time_ps         temp_K              pe_eV            ke_eV          etotal_eV       econserve_eV      press_bar\n";

void thermo_screen_header(FILE *fp) {
  if (!fp) return;
  fputs(columns, fp);
  fflush(fp);
}

md_status thermo_open(thermo_out *t, const char *path, int restart, long long keep_bytes, const char *header,
                      FILE *screen) {
  memset(t, 0, sizeof *t);
  t->fd = -1;
  t->screen = screen;
  if (!path || !path[0]) return MD_OK;
  snprintf(t->path, sizeof t->path, "%s", path);
  MD_TRY(outfile_open(path, restart, keep_bytes, &t->fd));
  t->bytes = restart ? keep_bytes : 0;
  if (!restart) {
    char line[256];
    snprintf(line, sizeof line, "# esnapmd %s (commit %s) thermo output\n", ESNAP_VERSION, ESNAP_COMMIT);
    size_t l1 = strlen(line), l2 = header ? strlen(header) : 0, l3 = strlen(columns);
    MD_TRY(outfile_write(t->fd, path, line, l1));
    if (l2) MD_TRY(outfile_write(t->fd, path, header, l2));
    MD_TRY(outfile_write(t->fd, path, columns, l3));
    t->bytes += (long long)(l1 + l2 + l3);
  }
  return MD_OK;
}

md_status thermo_write(thermo_out *t, const md_thermo *v) {
  char buf[512];
  thermo_format_line(buf, sizeof buf, v);
  size_t len = strlen(buf);
  if (t->screen) {
    fputs(buf, t->screen);
    fflush(t->screen);
  }
  if (t->fd >= 0) {
    MD_TRY(outfile_write(t->fd, t->path, buf, len));
    t->bytes += (long long)len;
  }
  return MD_OK;
}

md_status thermo_sync(thermo_out *t) { return outfile_sync(t->fd, t->path); }

void thermo_close(thermo_out *t) {
  if (t->fd >= 0) close(t->fd);
  t->fd = -1;
}
