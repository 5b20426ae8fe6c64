/*
 * Login rate limits: token buckets kept in the daemon's memory, one per source
 * address, per institution and per user (institution and username as given,
 * whether or not such a user exists, so spraying unknown names is limited
 * too (an IPv6 address counts as its /64) and a refusal says nothing about which users exist). A bucket holds up
 * to a minute's attempts and refills evenly; an attempt is let through only
 * when all three of its buckets have one left, and then takes one from each.
 * Each table has a fixed number of buckets; when full, the fullest bucket is
 * forgotten (a full bucket and a new one are the same).
 */
#ifndef SPONA_LOGIN_LIMIT_H
#define SPONA_LOGIN_LIMIT_H

#include <stddef.h>

enum login_limit_scope {
    LOGIN_LIMIT_OK = 0,
    LOGIN_LIMIT_ADDRESS,
    LOGIN_LIMIT_INSTITUTION,
    LOGIN_LIMIT_USER,
};

struct login_limit;

/* Attempts per minute for each scope (each at least 1). NULL when out of memory. */
struct login_limit *login_limit_new(int per_address, int per_institution, int per_user);

void login_limit_free(struct login_limit *limit);

/*
 * Counts one login attempt. LOGIN_LIMIT_OK when let through (one taken from
 * each bucket); otherwise the first scope with nothing left, nothing taken,
 * and *retry_seconds (at least 1) until that bucket has an attempt again;
 * *refused counts the attempts that bucket refused since it last let one
 * through, this one included (1: the first; log a line now and then, not
 * one per attempt). Thread-safe.
 */
enum login_limit_scope login_limit_take(struct login_limit *limit, const char *address,
                                        const char *institution_id, const char *username,
                                        int *retry_seconds, long *refused);

/*
 * The bucket key of a peer as the network layer writes it ("a.b.c.d:port",
 * "[v6]:port"): the IPv4 address, or the IPv6 address's /64 ("2001:db8::/64"),
 * since one IPv6 host is usually given a whole /64.
 */
void login_limit_address(const char *peer, char *out, size_t out_size);

#endif
