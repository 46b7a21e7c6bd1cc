/*
 * replay.c - run a fuzz target's inputs once each, without libFuzzer:
 *
 *   build/host/cov/page-replay tests/fuzz/corpus/page [FILE|DIR]...
 *
 * make coverage links each target with this main, built by GCC with
 * --coverage, so that the corpora count in the coverage of mm/.  A bug
 * fails the run as under libFuzzer: the target aborts.
 */
#include <kernel/printk.h>
#include "fuzz.h"

#include <dirent.h>
#include <stdio.h>
#include <sys/stat.h>

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Inputs are at most a few KiB (make fuzz: -max_len). */
static uint8_t input[1 << 16];

static int replay_file(const char *path)
{
	FILE *f = fopen(path, "rb");
	size_t n;

	if (!f) {
		perror(path);
		return 0;
	}
	n = fread(input, 1, sizeof(input), f);
	fclose(f);
	LLVMFuzzerTestOneInput(input, n);
	return 1;
}

int main(int argc, char **argv)
{
	char path[4096];
	struct dirent *e;
	struct stat st;
	int i, n = 0;
	DIR *d;

	LLVMFuzzerInitialize(&argc, &argv);
	for (i = 1; i < argc; i++) {
		if (stat(argv[i], &st) || !S_ISDIR(st.st_mode)) {
			n += replay_file(argv[i]);
			continue;
		}
		d = opendir(argv[i]);
		while (d && (e = readdir(d))) {
			if (e->d_name[0] == '.')
				continue;
			if (snprintf(path, sizeof(path), "%s/%s", argv[i],
				     e->d_name) < (int)sizeof(path))
				n += replay_file(path);
		}
		if (d)
			closedir(d);
	}
	fprintf(stderr, "%s: %d inputs replayed\n", argv[0], n);
	return 0;
}
