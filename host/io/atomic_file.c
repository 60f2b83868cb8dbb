#include "atomic_file.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "textfile.h"

md_status io_atomic_open(io_atomic *a, const char *path) {
  memset(a, 0, sizeof *a);
  if (strlen(path) >= sizeof a->path) return md_error(MD_ERR_VALUE, "%.60s...: output path is too long", path);
  snprintf(a->path, sizeof a->path, "%s", path);
  snprintf(a->tmp, sizeof a->tmp, "%s.tmp", path);
  int fd = open(a->tmp, O_WRONLY | O_CREAT | O_TRUNC, 0666);
  if (fd < 0) return md_error(MD_ERR_IO, "%s: cannot create a temporary file (%s): %s", path, a->tmp, strerror(errno));
  a->fp = fdopen(fd, "w");
  if (!a->fp) {
    int e = errno;
    close(fd);
    unlink(a->tmp);
    return md_error(MD_ERR_IO, "%s: cannot open: %s", a->tmp, strerror(e));
  }
  return MD_OK;
}

/* fsync the directory holding path, so the rename itself is on disk (best effort) */
static void fsync_dir(const char *path) {
  char dir[MD_PATH_LEN];
  tf_dirname(path, dir, sizeof dir);
  int fd = open(dir, O_RDONLY);
  if (fd < 0) return;
  fsync(fd);
  close(fd);
}

md_status io_atomic_commit(io_atomic *a) {
  if (!a->fp) return md_error(MD_ERR_INTERNAL, "%s: commit of a file that is not open", a->path);
  errno = 0;
  int bad = fflush(a->fp) != 0 || ferror(a->fp) || fsync(fileno(a->fp)) != 0;
  int err = errno;
  bad |= fclose(a->fp) != 0;
  if (!err) err = errno;
  a->fp = NULL;
  if (bad) {
    unlink(a->tmp);
    return md_error(MD_ERR_IO, "%s: write failed: %s", a->tmp, strerror(err ? err : EIO));
  }
  if (rename(a->tmp, a->path) != 0) {
    err = errno;
    unlink(a->tmp);
    return md_error(MD_ERR_IO, "%s: cannot rename to %s: %s", a->tmp, a->path, strerror(err));
  }
  fsync_dir(a->path);
  return MD_OK;
}

void io_atomic_abort(io_atomic *a) {
  if (a->fp) {
    fclose(a->fp);
    a->fp = NULL;
    unlink(a->tmp);
  }
}

md_status write_file_atomic(const char *path, const void *data, size_t len) {
  io_atomic a;
  MD_TRY(io_atomic_open(&a, path));
  if (len && fwrite(data, 1, len, a.fp) != len) {
    int e = errno;
    io_atomic_abort(&a);
    return md_error(MD_ERR_IO, "%s: write failed: %s", a.tmp, strerror(e ? e : EIO));
  }
  return io_atomic_commit(&a);
}

md_status make_dirs(const char *dir) {
  char tmp[MD_PATH_LEN];
  if (strlen(dir) >= sizeof tmp) return md_error(MD_ERR_VALUE, "%.60s...: directory path is too long", dir);
  snprintf(tmp, sizeof tmp, "%s", dir);
  size_t len = strlen(tmp);
  if (len == 0) return MD_OK;
  for (size_t k = 1; k <= len; k++) {
    if (tmp[k] == '/' || tmp[k] == '\0') {
      char c = tmp[k];
      tmp[k] = '\0';
      if (mkdir(tmp, 0755) != 0 && errno != EEXIST)
        return md_error(MD_ERR_IO, "%s: cannot create directory: %s", tmp, strerror(errno));
      tmp[k] = c;
    }
  }
  struct stat st;
  if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode)) return md_error(MD_ERR_IO, "%s: not a directory", dir);
  return MD_OK;
}
