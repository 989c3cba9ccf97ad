/* SPDX-License-Identifier: ISC */
/*
 * pxpeer: both ends around a CONNECT proxy, for the proxy tests and the
 * benchmark. Blocking sockets and a thread per connection keep it obvious;
 * it is a test tool, not product code.
 *
 * Server (the "target" behind the proxy):
 *   pxpeer serve ADDR:PORT
 *     GET /N        answers N bytes of a fixed pseudo-random stream
 *     PUT|POST /..  with Content-Length: answers the body's sha256 (hex)
 *     PUT /stall    reads the head, then never reads again
 *   pxpeer gen N    writes the same N-byte stream to stdout
 *   pxpeer dns ADDR:PORT IP   a UDP DNS server answering every A query
 *                   with IP, AAAA with no record, and names starting
 *                   with "nx" with NXDOMAIN (for the evdns path)
 *
 * Clients (-x PROXY: go through "CONNECT TARGET"; each prints the CONNECT
 * status code on its own line first):
 *   pxpeer hold  -x P [-n N] TARGET   N tunnels, held until killed
 *   pxpeer stall -x P TARGET          GET a huge body, then never read
 *   pxpeer blast -x P TARGET          PUT /stall, then write forever
 *   pxpeer raw   -x P                 send stdin as is, print the status
 * Benchmarks (numbers on stdout, "key value"):
 *   pxpeer tput  -x P TARGET BYTES
 *   pxpeer lat   -x P TARGET COUNT
 *   pxpeer conc  -x P TARGET N HOLD_MS
 */
#include <sys/socket.h>
#include <sys/time.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include <openssl/evp.h>

#define BLOCK		65521		/* prime: a shifted stream shows */
#define HEADMAX		8192
#define IOBUF		(128 * 1024)

static unsigned char	 block[BLOCK];
static const char	*proxy_at;

int	main(int, char **);
static void die(const char *) __attribute__((noreturn));

static void
die(const char *what)
{
	perror(what);
	exit(1);
}

static void
make_block(void)
{
	uint32_t	x = 2463534242U;
	size_t		i;

	for (i = 0; i < BLOCK; i++) {
		x ^= x << 13;
		x ^= x >> 17;
		x ^= x << 5;
		block[i] = (unsigned char)(x >> 24);
	}
}

static double
now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int
parse_addr(const char *s, struct sockaddr_in *sin)
{
	char	 host[64];
	const char *colon = strrchr(s, ':');

	if (colon == NULL || (size_t)(colon - s) >= sizeof(host))
		return -1;
	memcpy(host, s, (size_t)(colon - s));
	host[colon - s] = '\0';
	memset(sin, 0, sizeof(*sin));
	sin->sin_family = AF_INET;
	sin->sin_port = htons((uint16_t)atoi(colon + 1));
	return inet_pton(AF_INET, host, &sin->sin_addr) == 1 ? 0 : -1;
}

static int
write_all(int fd, const void *buf, size_t len)
{
	const char	*p = buf;
	ssize_t		 n;

	while (len > 0) {
		if ((n = write(fd, p, len)) == -1) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

/* Send `len` bytes of the stream starting at stream offset 0. */
static int
send_stream(int fd, uint64_t len)
{
	unsigned char	*buf;
	uint64_t	 off = 0;
	size_t		 n, i, pos;

	if ((buf = malloc(IOBUF)) == NULL)
		return -1;

	while (off < len) {
		n = len - off > IOBUF ? IOBUF : (size_t)(len - off);
		for (i = 0, pos = (size_t)(off % BLOCK); i < n; ) {
			size_t k = BLOCK - pos;

			if (k > n - i)
				k = n - i;
			memcpy(buf + i, block + pos, k);
			i += k;
			pos = 0;
		}
		if (write_all(fd, buf, n) == -1) {
			free(buf);
			return -1;
		}
		off += n;
	}
	free(buf);
	return 0;
}

/* Read up to the blank line; returns head length (bytes after it are in
 * buf beyond that, *got in total), or -1. */
static int
read_head(int fd, char *buf, size_t max, size_t *got)
{
	ssize_t	 n;
	char	*e;

	*got = 0;
	while (*got < max - 1) {
		if ((n = read(fd, buf + *got, max - 1 - *got)) <= 0) {
			if (n == -1 && errno == EINTR)
				continue;
			return -1;
		}
		*got += (size_t)n;
		buf[*got] = '\0';
		if ((e = strstr(buf, "\r\n\r\n")) != NULL)
			return (int)(e + 4 - buf);
	}
	return -1;
}

/* ---- server ---- */

static void *
serve_conn(void *arg)
{
	int		 fd = (int)(intptr_t)arg, hl;
	char		 head[HEADMAX + 1], method[16], path[256], *cl;
	char		 reply[256];
	size_t		 got;
	uint64_t	 len, left;
	unsigned char	 md[EVP_MAX_MD_SIZE];
	unsigned int	 mdlen, i;
	char		*buf;
	EVP_MD_CTX	*ctx;
	ssize_t		 n;
	int		 off;

	if ((buf = malloc(IOBUF)) == NULL)
		die("malloc");
	while ((hl = read_head(fd, head, sizeof(head), &got)) != -1) {
		if (sscanf(head, "%15s %255s", method, path) != 2)
			break;
		if (strcmp(method, "GET") == 0) {
			len = strtoull(path + 1, NULL, 10);
			off = snprintf(reply, sizeof(reply),
			    "HTTP/1.1 200 OK\r\nContent-Length: %llu\r\n\r\n",
			    (unsigned long long)len);
			if (write_all(fd, reply, (size_t)off) == -1 ||
			    send_stream(fd, len) == -1)
				break;
			continue;
		}
		if (strcmp(path, "/stall") == 0) {
			for (;;)
				pause();
		}
		cl = strcasestr(head, "\r\nContent-Length:");
		len = cl != NULL ? strtoull(cl + 17, NULL, 10) : 0;
		ctx = EVP_MD_CTX_new();
		EVP_DigestInit_ex(ctx, EVP_sha256(), NULL);
		left = len;
		n = (ssize_t)got - hl;
		if ((uint64_t)n > left)
			n = (ssize_t)left;
		EVP_DigestUpdate(ctx, head + hl, (size_t)n);
		left -= (uint64_t)n;
		while (left > 0) {
			n = read(fd, buf, left > IOBUF ? IOBUF : (size_t)left);
			if (n <= 0)
				break;
			EVP_DigestUpdate(ctx, buf, (size_t)n);
			left -= (uint64_t)n;
		}
		EVP_DigestFinal_ex(ctx, md, &mdlen);
		EVP_MD_CTX_free(ctx);
		if (left > 0)
			break;
		off = snprintf(reply, sizeof(reply), "HTTP/1.1 200 OK\r\n"
		    "Content-Length: %u\r\n\r\n", mdlen * 2 + 1);
		for (i = 0; i < mdlen; i++)
			off += snprintf(reply + off,
			    sizeof(reply) - (size_t)off, "%02x", md[i]);
		off += snprintf(reply + off, sizeof(reply) - (size_t)off, "\n");
		if (write_all(fd, reply, (size_t)off) == -1)
			break;
	}
	free(buf);
	close(fd);
	return NULL;
}

static int
serve(const char *at)
{
	struct sockaddr_in	sin;
	pthread_attr_t		attr;
	pthread_t		th;
	int			lfd, fd, one = 1;

	if (parse_addr(at, &sin) == -1)
		die("serve: address");
	if ((lfd = socket(AF_INET, SOCK_STREAM, 0)) == -1)
		die("socket");
	setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(lfd, (struct sockaddr *)&sin, sizeof(sin)) == -1 ||
	    listen(lfd, 1024) == -1)
		die("bind");
	pthread_attr_init(&attr);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	pthread_attr_setstacksize(&attr, 256 * 1024);
	for (;;) {
		if ((fd = accept(lfd, NULL, NULL)) == -1) {
			if (errno == EINTR || errno == ECONNABORTED)
				continue;
			die("accept");
		}
		if (pthread_create(&th, &attr, serve_conn,
		    (void *)(intptr_t)fd) != 0)
			close(fd);
	}
	return 0;
}

/* ---- DNS ---- */

static int
dns(const char *at, const char *ip)
{
	struct sockaddr_in	sin, peer;
	socklen_t		plen;
	struct in_addr		a;
	unsigned char		q[512], r[600];
	ssize_t			n;
	size_t			off, qend;
	uint16_t		qtype;
	int			fd, nx;
	static const unsigned char ans_hdr[] = {
		0xc0, 0x0c, 0, 1, 0, 1, 0, 0, 0, 60, 0, 4 };

	if (parse_addr(at, &sin) == -1 || inet_pton(AF_INET, ip, &a) != 1)
		die("dns: address");
	if ((fd = socket(AF_INET, SOCK_DGRAM, 0)) == -1 ||
	    bind(fd, (struct sockaddr *)&sin, sizeof(sin)) == -1)
		die("dns: bind");
	for (;;) {
		plen = sizeof(peer);
		n = recvfrom(fd, q, sizeof(q), 0, (struct sockaddr *)&peer,
		    &plen);
		if (n < 12 + 5)
			continue;
		/* Walk the question name (no compression in questions). */
		for (off = 12; off < (size_t)n && q[off] != 0;
		    off += q[off] + 1)
			if (q[off] > 63)
				break;
		if (off + 5 > (size_t)n || q[off] != 0)
			continue;
		qend = off + 5;
		qtype = (uint16_t)(q[off + 1] << 8 | q[off + 2]);
		/* evdns randomizes the case of names (0x20 hack). */
		nx = q[12] >= 2 && (q[13] | 0x20) == 'n' &&
		    (q[14] | 0x20) == 'x';
		memcpy(r, q, qend);
		r[2] = 0x81;			/* QR, RD */
		r[3] = nx ? 0x83 : 0x80;	/* RA, rcode */
		r[4] = 0, r[5] = 1;		/* one question */
		r[6] = 0, r[7] = 0;		/* answers, set below */
		r[8] = r[9] = r[10] = r[11] = 0;
		off = qend;
		if (!nx && qtype == 1) {
			r[7] = 1;
			memcpy(r + off, ans_hdr, sizeof(ans_hdr));
			off += sizeof(ans_hdr);
			memcpy(r + off, &a, 4);
			off += 4;
		}
		sendto(fd, r, off, 0, (struct sockaddr *)&peer, plen);
	}
}

/* ---- clients ---- */

static int
dial(const char *at)
{
	struct sockaddr_in	sin;
	int			fd, one = 1;

	if (parse_addr(at, &sin) == -1) {
		fprintf(stderr, "bad address %s\n", at);
		exit(2);
	}
	if ((fd = socket(AF_INET, SOCK_STREAM, 0)) == -1)
		die("socket");
	if (connect(fd, (struct sockaddr *)&sin, sizeof(sin)) == -1) {
		close(fd);
		return -1;
	}
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	return fd;
}

/* Read the proxy's reply head one byte at a time (so no tunnel bytes are
 * swallowed); return its status code, or -1. */
static int
read_status(int fd)
{
	char	head[HEADMAX + 1];
	size_t	got = 0;
	ssize_t	n;
	int	code;

	while (got < HEADMAX) {
		if ((n = read(fd, head + got, 1)) <= 0)
			return -1;
		got++;
		head[got] = '\0';
		if (got >= 4 && strcmp(head + got - 4, "\r\n\r\n") == 0)
			break;
	}
	if (sscanf(head, "HTTP/1.%*d %d", &code) != 1)
		return -1;
	return code;
}

/* A tunnel to target through the proxy (or direct without -x). Returns
 * the fd, with *code the CONNECT status (200 when direct), or -1. */
static int
tunnel(const char *target, int *code)
{
	char	req[512];
	int	fd, n;

	if (proxy_at == NULL) {
		*code = 200;
		return dial(target);
	}
	if ((fd = dial(proxy_at)) == -1) {
		*code = -1;
		return -1;
	}
	n = snprintf(req, sizeof(req),
	    "CONNECT %s HTTP/1.1\r\nHost: %s\r\n\r\n", target, target);
	if (write_all(fd, req, (size_t)n) == -1 ||
	    (*code = read_status(fd)) != 200) {
		if (*code == 0)
			*code = -1;
		return fd;
	}
	return fd;
}

static int
hold(const char *target, int count)
{
	int	i, code, fd;

	for (i = 0; i < count; i++) {
		fd = tunnel(target, &code);
		printf("%d\n", code);
		fflush(stdout);
		if (code != 200 && fd != -1)
			close(fd);
	}
	for (;;)
		pause();
	return 0;
}

static int
stall(const char *target)
{
	const char	*get = "GET /1000000000000 HTTP/1.1\r\n\r\n";
	int		 fd, code;

	fd = tunnel(target, &code);
	printf("%d\n", code);
	fflush(stdout);
	if (code != 200 || write_all(fd, get, strlen(get)) == -1)
		return 1;
	for (;;)
		pause();
}

static int
blast(const char *target)
{
	const char	*put = "PUT /stall HTTP/1.1\r\n"
	    "Content-Length: 1000000000000\r\n\r\n";
	int		 fd, code;

	fd = tunnel(target, &code);
	printf("%d\n", code);
	fflush(stdout);
	if (code != 200 || write_all(fd, put, strlen(put)) == -1)
		return 1;
	send_stream(fd, UINT64_MAX);
	for (;;)
		pause();
}

static int
raw(void)
{
	char	buf[IOBUF];
	ssize_t	n;
	int	fd, code;

	if ((fd = dial(proxy_at)) == -1)
		die("connect");
	while ((n = read(0, buf, sizeof(buf))) > 0)
		if (write_all(fd, buf, (size_t)n) == -1)
			break;
	code = read_status(fd);
	printf("%d\n", code);
	return code > 0 ? 0 : 1;
}

/* Read one response to "GET /N": head, then N bytes. Returns bytes of
 * body read, or -1. */
static int64_t
get_body(int fd, uint64_t want)
{
	static char	buf[IOBUF];
	char		head[HEADMAX + 1];
	size_t		got;
	int		hl;
	uint64_t	body;
	ssize_t		n;

	if ((hl = read_head(fd, head, sizeof(head), &got)) == -1)
		return -1;
	body = got - (size_t)hl;
	while (body < want) {
		if ((n = read(fd, buf, sizeof(buf))) <= 0)
			return -1;
		body += (uint64_t)n;
	}
	return (int64_t)body;
}

static int
tput(const char *target, uint64_t bytes)
{
	char	req[64];
	double	t0, t1;
	int	fd, code, n;

	fd = tunnel(target, &code);
	if (code != 200)
		return 1;
	n = snprintf(req, sizeof(req), "GET /%llu HTTP/1.1\r\n\r\n",
	    (unsigned long long)bytes);
	t0 = now_s();
	if (write_all(fd, req, (size_t)n) == -1 ||
	    get_body(fd, bytes) != (int64_t)bytes)
		return 1;
	t1 = now_s();
	printf("mbytes_per_s %.1f\n", (double)bytes / (t1 - t0) / 1e6);
	close(fd);
	return 0;
}

static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static int
lat(const char *target, int count)
{
	const char	*get = "GET /1 HTTP/1.1\r\n\r\n";
	double		*v, t0, sum = 0;
	int		 i, fd, code;

	if ((v = calloc((size_t)count, sizeof(*v))) == NULL)
		die("calloc");
	for (i = 0; i < count; i++) {
		t0 = now_s();
		fd = tunnel(target, &code);
		if (code != 200 || write_all(fd, get, strlen(get)) == -1 ||
		    get_body(fd, 1) < 1)
			return 1;
		v[i] = (now_s() - t0) * 1e6;
		sum += v[i];
		close(fd);
	}
	qsort(v, (size_t)count, sizeof(*v), cmp_double);
	printf("latency_us_median %.0f\nlatency_us_p90 %.0f\n"
	    "latency_us_mean %.0f\n", v[count / 2], v[count * 9 / 10],
	    sum / count);
	return 0;
}

/*
 * N tunnels at once, each: connect, CONNECT, 200, GET /1, answer. Driven
 * with poll so N is not limited by threads. Then all are held open for
 * hold_ms (RSS is sampled then by the caller) and closed.
 */
enum cst { C_CONNECTING, C_STATUS, C_BODY, C_DONE };

static int
conc(const char *target, int count, int hold_ms)
{
	struct sockaddr_in	 sin;
	struct pollfd		*pfd;
	enum cst		*st;
	char			 req[512], buf[4096], **acc;
	size_t			*accn;
	int			 i, left, n, rl, fails = 0;
	double			 t0, t1;

	if (proxy_at == NULL || parse_addr(proxy_at, &sin) == -1)
		die("conc needs -x");
	rl = snprintf(req, sizeof(req),
	    "CONNECT %s HTTP/1.1\r\nHost: %s\r\n\r\nGET /1 HTTP/1.1\r\n\r\n",
	    target, target);
	pfd = calloc((size_t)count, sizeof(*pfd));
	st = calloc((size_t)count, sizeof(*st));
	acc = calloc((size_t)count, sizeof(*acc));
	accn = calloc((size_t)count, sizeof(*accn));
	if (pfd == NULL || st == NULL || acc == NULL || accn == NULL)
		die("calloc");
	t0 = now_s();
	for (i = 0; i < count; i++) {
		if ((pfd[i].fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK,
		    0)) == -1)
			die("socket");
		if (connect(pfd[i].fd, (struct sockaddr *)&sin,
		    sizeof(sin)) == -1 && errno != EINPROGRESS)
			die("connect");
		pfd[i].events = POLLOUT;
		st[i] = C_CONNECTING;
		if ((acc[i] = malloc(HEADMAX)) == NULL)
			die("malloc");
	}
	left = count;
	while (left > 0) {
		if (poll(pfd, (nfds_t)count, 10000) <= 0)
			break;
		for (i = 0; i < count; i++) {
			if (pfd[i].revents == 0 || st[i] == C_DONE)
				continue;
			if (st[i] == C_CONNECTING) {
				/* CONNECT and the GET in one write, as a
				 * client that pipelines would. */
				if (write(pfd[i].fd, req, (size_t)rl) != rl) {
					st[i] = C_DONE, left--, fails++;
					pfd[i].events = 0;
					continue;
				}
				st[i] = C_STATUS;
				pfd[i].events = POLLIN;
				continue;
			}
			n = (int)read(pfd[i].fd, buf, sizeof(buf));
			if (n <= 0) {
				st[i] = C_DONE, left--, fails++;
				pfd[i].events = 0;
				continue;
			}
			if (accn[i] + (size_t)n >= HEADMAX)
				n = (int)(HEADMAX - 1 - accn[i]);
			memcpy(acc[i] + accn[i], buf, (size_t)n);
			accn[i] += (size_t)n;
			acc[i][accn[i]] = '\0';
			/* 200 head, then the response head and its 1 byte. */
			{
				char *a = strstr(acc[i], "\r\n\r\n"), *b;

				if (a == NULL)
					continue;
				if (strncmp(acc[i], "HTTP/1.1 200", 12) != 0 &&
				    strncmp(acc[i], "HTTP/1.0 200", 12) != 0) {
					st[i] = C_DONE, left--, fails++;
					pfd[i].events = 0;
					continue;
				}
				if ((b = strstr(a + 4, "\r\n\r\n")) == NULL ||
				    acc[i] + accn[i] < b + 5)
					continue;
				st[i] = C_DONE;
				left--;
				pfd[i].events = 0;
			}
		}
	}
	t1 = now_s();
	printf("tunnels %d\nfailed %d\nsetup_s %.3f\nrequests_per_s %.0f\n",
	    count, fails + left, t1 - t0, (count - fails - left) / (t1 - t0));
	printf("ready\n");
	fflush(stdout);
	usleep((useconds_t)hold_ms * 1000);
	for (i = 0; i < count; i++)
		close(pfd[i].fd);
	return fails + left > 0;
}

static void
usage(void)
{
	fprintf(stderr, "usage: pxpeer serve ADDR:PORT | gen N | "
	    "dns ADDR:PORT IP | "
	    "{hold [-n N]|stall|blast|tput BYTES|lat COUNT|conc N HOLD_MS} "
	    "-x PROXY TARGET | raw -x PROXY\n");
	exit(2);
}

int
main(int argc, char **argv)
{
	const char	*cmd;
	int		 ch, count = 1;

	if (argc < 2)
		usage();
	cmd = argv[1];
	argv++;
	argc--;
	make_block();
	signal(SIGPIPE, SIG_IGN);
	while ((ch = getopt(argc, argv, "x:n:")) != -1) {
		switch (ch) {
		case 'x':
			proxy_at = optarg;
			break;
		case 'n':
			count = atoi(optarg);
			break;
		default:
			usage();
		}
	}
	argc -= optind;
	argv += optind;
	if (strcmp(cmd, "serve") == 0 && argc == 1)
		return serve(argv[0]);
	if (strcmp(cmd, "dns") == 0 && argc == 2)
		return dns(argv[0], argv[1]);
	if (strcmp(cmd, "gen") == 0 && argc == 1)
		return send_stream(1, strtoull(argv[0], NULL, 10)) == -1;
	if (strcmp(cmd, "raw") == 0 && argc == 0 && proxy_at != NULL)
		return raw();
	if (strcmp(cmd, "hold") == 0 && argc == 1)
		return hold(argv[0], count);
	if (strcmp(cmd, "stall") == 0 && argc == 1)
		return stall(argv[0]);
	if (strcmp(cmd, "blast") == 0 && argc == 1)
		return blast(argv[0]);
	if (strcmp(cmd, "tput") == 0 && argc == 2)
		return tput(argv[0], strtoull(argv[1], NULL, 10));
	if (strcmp(cmd, "lat") == 0 && argc == 2)
		return lat(argv[0], atoi(argv[1]));
	if (strcmp(cmd, "conc") == 0 && argc == 3)
		return conc(argv[0], atoi(argv[1]), atoi(argv[2]));
	usage();
	return 2;
}
