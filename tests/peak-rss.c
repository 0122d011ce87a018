/* SPDX-License-Identifier: MIT */
/* peak-rss PROGRAM [ARG …]: runs the program and prints its peak
 * resident memory in KiB on stderr, then exits with its status.
 *
 * A process started by a large one (a Python benchmark) inherits that
 * one's peak: Linux keeps the highest RSS across exec, and the vfork
 * that starts it shares the parent's memory until then. Started from
 * this small program, the figure is the program's own. */

#include <stdio.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

int
main (int    argc,
      char **argv)
{
  struct rusage usage;
  int status;
  pid_t pid;

  if (argc < 2)
    {
      fputs ("usage: peak-rss PROGRAM [ARG …]\n", stderr);
      return 2;
    }
  pid = fork ();
  if (pid < 0)
    {
      perror ("peak-rss: fork");
      return 2;
    }
  if (pid == 0)
    {
      execv (argv[1], argv + 1);
      perror ("peak-rss: exec");
      _exit (127);
    }
  if (wait4 (pid, &status, 0, &usage) < 0)
    {
      perror ("peak-rss: wait4");
      return 2;
    }
  fprintf (stderr, "peak-rss: %ld\n", usage.ru_maxrss);
  return WIFEXITED (status) ? WEXITSTATUS (status) : 128 + WTERMSIG (status);
}
