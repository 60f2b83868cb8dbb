#define _GNU_SOURCE /* memmem */
#include "fuzz_util.h"

#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define FZ_MAX_KNOWN 64

static char g_dir[MD_PATH_LEN];
static int g_nknown;
static regex_t g_known[FZ_MAX_KNOWN];

static void fz_die(const char *what, const char *path) {
  fprintf(stderr, "fuzz: %s %s\n", what, path);
  abort();
}

static void remove_dir(void) {
  if (!g_dir[0]) return;
  char cmd[MD_PATH_LEN + 16];
  snprintf(cmd, sizeof cmd, "rm -rf '%s'", g_dir);
  if (system(cmd) != 0) fprintf(stderr, "fuzz: could not remove %s\n", g_dir);
}

/* fuzz/known/HARNESS.skip: one POSIX extended regular expression per line ('#' lines and blank lines
 * ignored), matched line by line against the input. */
static void load_known(const char *harness) {
  char path[MD_PATH_LEN];
  snprintf(path, sizeof path, "%s/known/%s.skip", ESNAP_FUZZ_DIR, harness);
  FILE *fp = fopen(path, "r");
  if (!fp) return;
  char line[512];
  while (g_nknown < FZ_MAX_KNOWN && fgets(line, sizeof line, fp)) {
    line[strcspn(line, "\r\n")] = '\0';
    if (!line[0] || line[0] == '#') continue;
    if (regcomp(&g_known[g_nknown], line, REG_EXTENDED | REG_NEWLINE | REG_NOSUB) != 0) {
      fclose(fp);
      fz_die("bad pattern in", path);
    }
    g_nknown++;
  }
  fclose(fp);
}

void fz_init(const char *harness) {
  const char *base = getenv("ESNAP_FUZZ_TMP");
  struct stat st;
  if (!base || !base[0]) base = (stat("/dev/shm", &st) == 0 && S_ISDIR(st.st_mode)) ? "/dev/shm" : "/tmp";
  snprintf(g_dir, sizeof g_dir, "%s/esnapfuzz-%s-%ld", base, harness, (long)getpid());
  if (mkdir(g_dir, 0700) != 0) fz_die("cannot create", g_dir);
  atexit(remove_dir);
  load_known(harness);
}

static void fz_path(const char *name, char *out) { snprintf(out, MD_PATH_LEN, "%s/%s", g_dir, name); }

void fz_write(const char *name, const uint8_t *data, size_t size, char *out) {
  fz_path(name, out);
  FILE *fp = fopen(out, "wb");
  if (!fp) fz_die("cannot write", out);
  if ((size && fwrite(data, 1, size, fp) != size) || fclose(fp) != 0) fz_die("cannot write", out);
}

int fz_known(const uint8_t *data, size_t size) {
  if (g_nknown == 0) return 0;
  char *s = (char *)malloc(size + 1);
  if (!s) abort();
  memcpy(s, data, size);
  s[size] = '\0';
  int hit = 0;
  for (int k = 0; k < g_nknown && !hit; k++) hit = regexec(&g_known[k], s, 0, NULL, 0) == 0;
  free(s);
  return hit;
}

int fz_take(const char *name, const uint8_t *data, size_t size, char *out) {
  if (fz_known(data, size)) return 0;
  fz_write(name, data, size, out);
  return 1;
}

int fz_split(const uint8_t *data, size_t size, const uint8_t **part, size_t *len, int maxparts) {
  const size_t seplen = strlen(FZ_SEPARATOR);
  int n = 0;
  size_t start = 0;
  while (n < maxparts - 1) {
    const uint8_t *hit = NULL;
    if (size - start >= seplen)
      hit = (const uint8_t *)memmem(data + start, size - start, FZ_SEPARATOR, seplen);
    if (!hit) break;
    part[n] = data + start;
    len[n] = (size_t)(hit - (data + start));
    n++;
    start = (size_t)(hit - data) + seplen;
  }
  part[n] = data + start;
  len[n] = size - start;
  return n + 1;
}

uint8_t *fz_slurp(const char *rel, size_t *size) {
  char path[MD_PATH_LEN];
  snprintf(path, sizeof path, "%s/%s", ESNAP_SOURCE_DIR, rel);
  FILE *fp = fopen(path, "rb");
  if (!fp) fz_die("cannot read", path);
  uint8_t *buf = NULL;
  size_t n = 0, cap = 0;
  for (;;) {
    if (n == cap) {
      cap = cap ? 2 * cap : 4096;
      uint8_t *nb = (uint8_t *)realloc(buf, cap);
      if (!nb) abort();
      buf = nb;
    }
    size_t got = fread(buf + n, 1, cap - n, fp);
    if (got == 0) break;
    n += got;
  }
  fclose(fp);
  *size = n;
  return buf;
}
