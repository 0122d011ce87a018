/* SPDX-License-Identifier: MIT */
/* A fault injector loaded with LD_PRELOAD: while BP_FAULT_OP names one of
 * write, fsync, close or rename, that call fails for files under the
 * folder BP_FAULT_DIR (ENOSPC for write, EIO for the others; close still
 * closes the descriptor, as NFS does). Everything else passes through, so
 * the tests can prove that a failed save leaves the old file as it was. */

#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* The shim is loaded into processes it knows nothing about; the exported
 * symbols below are the interposed libc calls and need no prototypes of
 * their own beyond <unistd.h> and <stdio.h>. */

static int
fault_is (const char *op)
{
  const char *want = getenv ("BP_FAULT_OP");

  return want != NULL && strcmp (want, op) == 0;
}

static int
under_dir (const char *path)
{
  const char *dir = getenv ("BP_FAULT_DIR");
  size_t len;

  if (dir == NULL || path == NULL)
    return 0;
  len = strlen (dir);
  return strncmp (path, dir, len) == 0 && (path[len] == '/' || path[len] == '\0');
}

static int
fd_under_dir (int fd)
{
  char link[64];
  char path[PATH_MAX];
  ssize_t n;

  snprintf (link, sizeof link, "/proc/self/fd/%d", fd);
  n = readlink (link, path, sizeof path - 1);
  if (n <= 0)
    return 0;
  path[n] = '\0';
  return under_dir (path);
}

ssize_t
write (int fd, const void *buf, size_t count)
{
  static ssize_t (*real_write) (int, const void *, size_t);

  if (real_write == NULL)
    real_write = (ssize_t (*) (int, const void *, size_t)) dlsym (RTLD_NEXT, "write");
  if (fault_is ("write") && fd > 2 && fd_under_dir (fd))
    {
      /* Half the data first, as a disk filling up would take it. */
      if (count > 1)
        return real_write (fd, buf, count / 2) < 0 ? -1 : (errno = ENOSPC, -1);
      errno = ENOSPC;
      return -1;
    }
  return real_write (fd, buf, count);
}

int
fsync (int fd)
{
  static int (*real_fsync) (int);

  if (real_fsync == NULL)
    real_fsync = (int (*) (int)) dlsym (RTLD_NEXT, "fsync");
  if (fault_is ("fsync") && fd_under_dir (fd))
    {
      errno = EIO;
      return -1;
    }
  return real_fsync (fd);
}

int
close (int fd)
{
  static int (*real_close) (int);
  int fail;

  if (real_close == NULL)
    real_close = (int (*) (int)) dlsym (RTLD_NEXT, "close");
  fail = fault_is ("close") && fd > 2 && fd_under_dir (fd);
  if (real_close (fd) != 0)
    return -1;
  if (fail)
    {
      errno = EIO;
      return -1;
    }
  return 0;
}

int
rename (const char *oldpath, const char *newpath)
{
  static int (*real_rename) (const char *, const char *);

  if (real_rename == NULL)
    real_rename = (int (*) (const char *, const char *)) dlsym (RTLD_NEXT, "rename");
  if (fault_is ("rename") && (under_dir (oldpath) || under_dir (newpath)))
    {
      errno = EIO;
      return -1;
    }
  return real_rename (oldpath, newpath);
}
