/*
 * bench_exec.c - the cost of running a command as a whole process, for
 * ratios against /bin/true measured in the same run. A shell loop around
 * `date` would time the shell's own forks; this forks and execs directly
 * and reads the child's CPU time from wait4().
 *
 * usage: bench_exec N COMMAND [ARG...]
 * prints: "wall_us cpu_us" (medians of N runs, stdout and stderr of the
 * command discarded); exit 1 when a run fails.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/time.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static double
now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e6 + (double)ts.tv_nsec / 1e3;
}

static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static double
tv_us(struct timeval tv)
{
	return (double)tv.tv_sec * 1e6 + (double)tv.tv_usec;
}

int
main(int argc, char **argv)
{
	double *wall, *cpu;
	long i, n;

	if (argc < 3 || (n = strtol(argv[1], NULL, 10)) < 1 || n > 100000) {
		fprintf(stderr, "usage: bench_exec N COMMAND [ARG...]\n");
		return 2;
	}
	wall = calloc((size_t)n, sizeof(*wall));
	cpu = calloc((size_t)n, sizeof(*cpu));
	if (wall == NULL || cpu == NULL)
		return 1;
	for (i = 0; i < n; i++) {
		struct rusage ru;
		double t0 = now_us();
		int status;
		pid_t pid = fork();

		if (pid < 0)
			return 1;
		if (pid == 0) {
			int null = open("/dev/null", O_WRONLY);
			if (null >= 0) {
				dup2(null, 1);
				dup2(null, 2);
			}
			execv(argv[2], argv + 2);
			_exit(127);
		}
		if (wait4(pid, &status, 0, &ru) != pid || !WIFEXITED(status) ||
		    WEXITSTATUS(status) != 0) {
			fprintf(stderr, "bench_exec: %s failed\n", argv[2]);
			return 1;
		}
		wall[i] = now_us() - t0;
		cpu[i] = tv_us(ru.ru_utime) + tv_us(ru.ru_stime);
	}
	qsort(wall, (size_t)n, sizeof(*wall), cmp_double);
	qsort(cpu, (size_t)n, sizeof(*cpu), cmp_double);
	printf("%.1f %.1f\n", wall[n / 2], cpu[n / 2]);
	free(wall);
	free(cpu);
	return 0;
}
