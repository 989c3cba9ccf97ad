/* SPDX-License-Identifier: ISC */
/*
 * A main() for fuzz targets in builds without libFuzzer: feeds each file
 * named on the command line to LLVMFuzzerTestOneInput once, so the seed
 * corpus runs as a regression test in every build (and under sanitizers).
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

int	LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int	main(int argc, char **argv);

int
main(int argc, char **argv)
{
	int i;

	for (i = 1; i < argc; i++) {
		FILE	*f;
		uint8_t	*buf;
		long	 len;

		if ((f = fopen(argv[i], "rb")) == NULL) {
			perror(argv[i]);
			return 1;
		}
		if (fseek(f, 0, SEEK_END) != 0 || (len = ftell(f)) < 0 ||
		    fseek(f, 0, SEEK_SET) != 0) {
			perror(argv[i]);
			return 1;
		}
		if ((buf = malloc(len > 0 ? (size_t)len : 1)) == NULL ||
		    fread(buf, 1, (size_t)len, f) != (size_t)len) {
			perror(argv[i]);
			return 1;
		}
		fclose(f);
		LLVMFuzzerTestOneInput(buf, (size_t)len);
		free(buf);
	}
	return 0;
}
