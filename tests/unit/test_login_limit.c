/*
 * Unit tests of the login rate limits (server/request/login_limit.c) and the
 * hashing pool (server/request/hash_pool.c): a bucket lets a minute's attempts
 * through and then refuses with a wait; the three scopes are separate; a refusal
 * takes nothing from the other buckets; an unknown username has a bucket like a
 * real one; a full table forgets the fullest bucket, not a spent one; peers lose
 * their port (an IPv6 peer counts as its /64). The pool: places are bounded, given
 * back, and every job runs and comes back before stop returns.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "hash_pool.h"
#include "login_limit.h"

#define INSTITUTION "3b4c3a1e-0000-4000-8000-000000000001"
#define OTHER_INSTITUTION "3b4c3a1e-0000-4000-8000-000000000002"

static enum login_limit_scope take(struct login_limit *limit, const char *address,
                                   const char *institution, const char *username, int *retry)
{
    long refused = 0;
    return login_limit_take(limit, address, institution, username, retry, &refused);
}

static void test_address_bucket_spent_then_refused(void **state)
{
    (void)state;
    struct login_limit *limit = login_limit_new(5, 1000, 1000);
    assert_non_null(limit);
    int retry = 0;
    for (int i = 0; i < 5; i++) {
        char username[32];
        snprintf(username, sizeof(username), "nobody-%d", i); /* unknown names count too */
        assert_int_equal(take(limit, "10.0.0.1", INSTITUTION, username, &retry), LOGIN_LIMIT_OK);
    }
    long refused = 0;
    assert_int_equal(login_limit_take(limit, "10.0.0.1", INSTITUTION, "x", &retry, &refused),
                     LOGIN_LIMIT_ADDRESS);
    assert_int_equal(refused, 1);
    /* 5 a minute: one comes back within 12 s */
    assert_true(retry >= 1 && retry <= 12);
    assert_int_equal(login_limit_take(limit, "10.0.0.1", INSTITUTION, "x", &retry, &refused),
                     LOGIN_LIMIT_ADDRESS);
    assert_int_equal(refused, 2); /* the same run of refusals, counted */
    /* another address is not affected */
    assert_int_equal(take(limit, "10.0.0.2", INSTITUTION, "x", &retry), LOGIN_LIMIT_OK);
    login_limit_free(limit);
}

static void test_user_bucket_same_for_unknown_and_per_institution(void **state)
{
    (void)state;
    struct login_limit *limit = login_limit_new(1000, 1000, 2);
    int retry = 0;
    for (int i = 0; i < 2; i++) {
        assert_int_equal(take(limit, "10.0.0.1", INSTITUTION, "ana", &retry), LOGIN_LIMIT_OK);
        assert_int_equal(take(limit, "10.0.0.1", INSTITUTION, "ghost", &retry),
                         LOGIN_LIMIT_OK);
    }
    assert_int_equal(take(limit, "10.0.0.9", INSTITUTION, "ana", &retry), LOGIN_LIMIT_USER);
    assert_int_equal(take(limit, "10.0.0.9", INSTITUTION, "ghost", &retry), LOGIN_LIMIT_USER);
    /* the same name at another institution is another user */
    assert_int_equal(take(limit, "10.0.0.9", OTHER_INSTITUTION, "ana", &retry),
                     LOGIN_LIMIT_OK);
    login_limit_free(limit);
}

static void test_refusal_takes_nothing_elsewhere(void **state)
{
    (void)state;
    struct login_limit *limit = login_limit_new(3, 1000, 1);
    int retry = 0;
    assert_int_equal(take(limit, "10.0.0.1", INSTITUTION, "ana", &retry), LOGIN_LIMIT_OK);
    /* refused for the username: the address keeps its two attempts */
    for (int i = 0; i < 5; i++)
        assert_int_equal(take(limit, "10.0.0.1", INSTITUTION, "ana", &retry),
                         LOGIN_LIMIT_USER);
    assert_int_equal(take(limit, "10.0.0.1", INSTITUTION, "bojan", &retry), LOGIN_LIMIT_OK);
    assert_int_equal(take(limit, "10.0.0.1", INSTITUTION, "vesna", &retry), LOGIN_LIMIT_OK);
    assert_int_equal(take(limit, "10.0.0.1", INSTITUTION, "zoran", &retry),
                     LOGIN_LIMIT_ADDRESS);
    login_limit_free(limit);
}

static void test_institution_bucket(void **state)
{
    (void)state;
    struct login_limit *limit = login_limit_new(1000, 2, 1000);
    int retry = 0;
    assert_int_equal(take(limit, "10.0.0.1", INSTITUTION, "a", &retry), LOGIN_LIMIT_OK);
    assert_int_equal(take(limit, "10.0.0.2", INSTITUTION, "b", &retry), LOGIN_LIMIT_OK);
    assert_int_equal(take(limit, "10.0.0.3", INSTITUTION, "c", &retry),
                     LOGIN_LIMIT_INSTITUTION);
    assert_int_equal(take(limit, "10.0.0.3", OTHER_INSTITUTION, "c", &retry), LOGIN_LIMIT_OK);
    login_limit_free(limit);
}

/* Many addresses fill the table: buckets with attempts left are forgotten, a spent one kept. */
static void test_full_table_keeps_spent_buckets(void **state)
{
    (void)state;
    struct login_limit *limit = login_limit_new(2, 1000000, 1000000);
    int retry = 0;
    assert_int_equal(take(limit, "10.9.9.9", INSTITUTION, "a", &retry), LOGIN_LIMIT_OK);
    assert_int_equal(take(limit, "10.9.9.9", INSTITUTION, "a", &retry), LOGIN_LIMIT_OK);
    for (int i = 0; i < 5000; i++) { /* more than the table holds */
        char address[32], username[32];
        snprintf(address, sizeof(address), "10.1.%d.%d", i / 256, i % 256);
        snprintf(username, sizeof(username), "u%d", i);
        assert_int_equal(take(limit, address, INSTITUTION, username, &retry), LOGIN_LIMIT_OK);
    }
    assert_int_equal(take(limit, "10.9.9.9", INSTITUTION, "b", &retry), LOGIN_LIMIT_ADDRESS);
    login_limit_free(limit);
}

static void test_address_of_peer(void **state)
{
    (void)state;
    char out[64];
    login_limit_address("127.0.0.1:54321", out, sizeof(out));
    assert_string_equal(out, "127.0.0.1");
    login_limit_address("[::1]:443", out, sizeof(out));
    assert_string_equal(out, "::/64");
    /* the hosts of one /64 share a bucket */
    login_limit_address("[2001:db8:1:2:aaaa::7]:1", out, sizeof(out));
    assert_string_equal(out, "2001:db8:1:2::/64");
    login_limit_address("[2001:db8:1:2:bbbb:cccc:dddd:eeee]:2", out, sizeof(out));
    assert_string_equal(out, "2001:db8:1:2::/64");
    login_limit_address("unknown", out, sizeof(out));
    assert_string_equal(out, "unknown");
}

/* --- the hashing pool --- */

struct counted {
    struct job_deferred base;
    atomic_int *ran;
};

static atomic_int came_back;

static void counted_run(struct job_deferred *self)
{
    struct counted *counted = (struct counted *)(void *)self;
    usleep(2000);
    atomic_fetch_add(counted->ran, 1);
}

static void done(void *arg, struct job *job)
{
    (void)arg;
    (void)job;
    atomic_fetch_add(&came_back, 1);
}

static void test_pool_bounded_and_drained(void **state)
{
    (void)state;
    enum { JOBS = 3 };
    char err[128] = "";
    struct hash_pool *pool = hash_pool_start(1, 2, done, NULL, err, sizeof(err));
    assert_non_null(pool);
    atomic_int ran = 0;
    atomic_store(&came_back, 0);
    struct job jobs[JOBS];
    struct counted counted[JOBS];
    memset(jobs, 0, sizeof(jobs));
    /* 1 thread + 2 waiting: three places, the fourth refused */
    for (int i = 0; i < JOBS; i++)
        assert_int_equal(hash_pool_reserve(pool), 0);
    assert_int_equal(hash_pool_reserve(pool), -1);
    hash_pool_release(pool);
    assert_int_equal(hash_pool_reserve(pool), 0);
    for (int i = 0; i < JOBS; i++) {
        counted[i].base.run = counted_run;
        counted[i].ran = &ran;
        jobs[i].deferred = &counted[i].base;
        hash_pool_submit(pool, &jobs[i]);
    }
    hash_pool_stop(pool); /* runs what is queued first */
    assert_int_equal(atomic_load(&ran), JOBS);
    assert_int_equal(atomic_load(&came_back), JOBS);
    assert_int_equal(hash_pool_reserve(pool), -1); /* stopped: no more places */
    hash_pool_free(pool);
    assert_true(hash_pool_threads(0) >= 1);
    assert_int_equal(hash_pool_threads(3), 3);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_address_bucket_spent_then_refused),
        cmocka_unit_test(test_user_bucket_same_for_unknown_and_per_institution),
        cmocka_unit_test(test_refusal_takes_nothing_elsewhere),
        cmocka_unit_test(test_institution_bucket),
        cmocka_unit_test(test_full_table_keeps_spent_buckets),
        cmocka_unit_test(test_address_of_peer),
        cmocka_unit_test(test_pool_bounded_and_drained),
    };
    return cmocka_run_group_tests_name("unit.login_limit", tests, NULL, NULL);
}
