/*
 * The registry's rows as protocol messages (docs/region.md): a municipality, an
 * institution, a certificate, from a row whose columns are in the order the
 * REGION_*_COLUMNS macros below select them. Shared by region_registry.c and
 * region_certs.c.
 */
#ifndef SPONA_REGION_VIEWS_H
#define SPONA_REGION_VIEWS_H

#include <libpq-fe.h>

#include "envelope.h"

#define REGION_TIME(column) "to_char(" column " AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')"

/* m: region_municipalities */
#define REGION_MUNICIPALITY_COLUMNS                                                      \
    "m.id, m.code, m.short_code, m.name, m.address, m.status, " REGION_TIME("m.created_at")
/* i: region_institutions, m: its municipality */
#define REGION_INSTITUTION_COLUMNS                                                       \
    "i.id, m.code, i.code, i.name, i.role, i.contact, i.enabled"
/* c: region_certificates, m: its municipality, i: its institution (LEFT JOIN); $pem: the
 * PEM or '' */
#define REGION_CERTIFICATE_COLUMNS(pem)                                                  \
    "c.serial, encode(c.fingerprint, 'hex'), m.code, coalesce(i.code, ''), c.purpose,"   \
    " c.subject, " REGION_TIME("c.not_before") ", " REGION_TIME("c.not_after") ","       \
    " coalesce(" REGION_TIME("c.revoked_at") ", ''), coalesce(c.revoke_reason, ''), " pem

/* The message of row; NULL out of memory. */
Spona__V1__RegionMunicipality *region_view_municipality(const PGresult *result, int row);
Spona__V1__RegionInstitution *region_view_institution(const PGresult *result, int row);
Spona__V1__RegionCertificate *region_view_certificate(const PGresult *result, int row);

#endif
