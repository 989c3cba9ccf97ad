/* SPDX-License-Identifier: ISC */
/*
 * The backend-independent half of net/wg.h: backend names, dispatch to a
 * preset (fake) backend as core's unit tests use it, status lifetime and
 * peer lookup, config wiping.
 */
#include <check.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "net/wg.h"
#include "net/wg_key.h"

static int calls_ensure, calls_configure, calls_read, calls_destroy;
static int calls_close;

static const char *
fake_name(void)
{
	return "fake";
}

static int
fake_ensure(struct wg_link *wl)
{
	calls_ensure++;
	wl->ifindex = 42;
	return 0;
}

static int
fake_configure(struct wg_link *wl, const struct wg_device_config *cfg)
{
	calls_configure++;
	return cfg->replace_peers ? 0 : -EINVAL;
}

static int
fake_read(struct wg_link *wl, struct wg_device_status *st)
{
	calls_read++;
	st->npeers = 1;
	st->peers = calloc(1, sizeof(*st->peers));
	st->peers[0].public_key[0] = 7;
	st->peers[0].allowedips = calloc(2, sizeof(struct wg_allowedip));
	st->peers[0].nallowedips = 2;
	return 0;
}

static int
fake_destroy(struct wg_link *wl)
{
	calls_destroy++;
	return 0;
}

static void
fake_close(struct wg_link *wl)
{
	calls_close++;
}

static const struct wg_backend_ops fake = {
	fake_name, fake_ensure, fake_configure, fake_read, fake_destroy,
	fake_close,
};

START_TEST(kind_names)
{
	ck_assert_int_eq(wg_backend_kind_from_name("auto"), WG_BACKEND_AUTO);
	ck_assert_int_eq(wg_backend_kind_from_name("kernel"),
	    WG_BACKEND_KERNEL);
	ck_assert_int_eq(wg_backend_kind_from_name("userspace"),
	    WG_BACKEND_USERSPACE);
	ck_assert_int_eq(wg_backend_kind_from_name("Kernel"), -EINVAL);
	ck_assert_int_eq(wg_backend_kind_from_name(NULL), -EINVAL);
	ck_assert_str_eq(wg_backend_kind_name(WG_BACKEND_USERSPACE),
	    "userspace");
	ck_assert_str_eq(wg_backend_kind_name((enum wg_backend_kind)9),
	    "unknown");
	ck_assert_str_eq(wg_backend_kernel.name(), "kernel");
	ck_assert_str_eq(wg_backend_userspace.name(), "userspace");
}
END_TEST

START_TEST(dispatch_to_preset_backend)
{
	struct wg_link		 wl;
	struct wg_device_config	 cfg = { 0 };
	struct wg_device_status	 st;
	uint8_t			 k[WG_KEYLEN] = { 7 };

	wg_link_init(&wl, "piaw", -1, -1, WG_BACKEND_AUTO, NULL);
	ck_assert_str_eq(wl.ifname, "piaw");
	ck_assert_str_eq(wl.program, WG_DEFAULT_PROGRAM);
	ck_assert_int_eq(wl.wait_ms, WG_DEFAULT_WAIT_MS);
	ck_assert_str_eq(wg_link_backend_name(&wl), "none");
	/* Nothing chosen yet: nothing to configure or read. */
	ck_assert_int_eq(wg_link_configure(&wl, &cfg), -ENODEV);
	ck_assert_int_eq(wg_link_read(&wl, &st), -ENODEV);

	wl.ops = &fake;
	ck_assert_int_eq(wg_link_ensure(&wl), 0);
	ck_assert_int_eq(wl.ifindex, 42);
	ck_assert_str_eq(wg_link_backend_name(&wl), "fake");
	ck_assert_int_eq(wg_link_configure(&wl, &cfg), -EINVAL);
	cfg.replace_peers = true;
	ck_assert_int_eq(wg_link_configure(&wl, &cfg), 0);
	ck_assert_int_eq(wg_link_read(&wl, &st), 0);
	ck_assert_ptr_eq(wg_device_status_peer(&st, k), &st.peers[0]);
	k[0] = 8;
	ck_assert_ptr_null(wg_device_status_peer(&st, k));
	wg_device_status_free(&st);
	ck_assert_uint_eq(st.npeers, 0);
	ck_assert_ptr_null(st.peers);
	wg_link_close(&wl);
	ck_assert_int_eq(wg_link_destroy(&wl), 0);
	ck_assert_str_eq(wg_link_backend_name(&wl), "none");
	ck_assert_int_eq(calls_ensure, 1);
	ck_assert_int_eq(calls_configure, 2);
	ck_assert_int_eq(calls_read, 1);
	ck_assert_int_eq(calls_destroy, 1);
	ck_assert_int_eq(calls_close, 2);
}
END_TEST

START_TEST(config_wipe)
{
	struct wg_device_config cfg;

	memset(&cfg, 0, sizeof(cfg));
	memset(cfg.private_key, 0x5a, sizeof(cfg.private_key));
	cfg.set_private_key = true;
	wg_device_config_wipe(&cfg);
	ck_assert(wg_key_is_zero(cfg.private_key));
	ck_assert(!cfg.set_private_key);
	/* Freeing "no status" is fine. */
	wg_device_status_free(NULL);
}
END_TEST

int	main(void);

int
main(void)
{
	Suite	*s = suite_create("wg_link");
	TCase	*tc = tcase_create("wg_link");
	SRunner	*sr;
	int	 failed;

	tcase_add_test(tc, kind_names);
	tcase_add_test(tc, dispatch_to_preset_backend);
	tcase_add_test(tc, config_wipe);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? 0 : 1;
}
