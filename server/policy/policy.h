/*
 * The policy engine: a Protocol on cooperation as an access policy (docs/policy.md).
 * policy_parse.c reads and validates the YAML document into struct policy;
 * policy.c holds the names, the decision function and the printable text.
 * Pure logic: nothing here touches the network, the database or the clock, and
 * policy_decide is deterministic — the same inputs always give the same answer.
 */
#ifndef SPONA_POLICY_H
#define SPONA_POLICY_H

#include <stddef.h>
#include <stdint.h>

/* Roles a signatory can hold. */
enum policy_role {
    POLICY_ROLE_LEAD_AGENCY,
    POLICY_ROLE_EMPLOYMENT_SERVICE,
    POLICY_ROLE_EDUCATION_PROVIDER,
    POLICY_ROLE_EMPLOYER_LIAISON,
    POLICY_ROLE_SERVICE_PROVIDER,
    POLICY_ROLE_COORDINATOR,
    POLICY_ROLE_COUNT
};

/* Data categories: every stored personal field belongs to exactly one of the first
 * nine; aggregates are indicator reports without persons. Masks use POLICY_BIT. */
enum policy_category {
    POLICY_CATEGORY_IDENTITY,
    POLICY_CATEGORY_CONTACT_ADDRESS,
    POLICY_CATEGORY_BENEFITS_HOUSEHOLD,
    POLICY_CATEGORY_EDUCATION_WORK,
    POLICY_CATEGORY_HEALTH_DISABILITY,
    POLICY_CATEGORY_SAFETY,
    POLICY_CATEGORY_PLAN_MEASURES,
    POLICY_CATEGORY_CASE_NOTES,
    POLICY_CATEGORY_OUTCOMES,
    POLICY_CATEGORY_AGGREGATES,
    POLICY_CATEGORY_COUNT
};

enum policy_action {
    POLICY_ACTION_READ,
    POLICY_ACTION_WRITE,
    POLICY_ACTION_COUNT
};

/* A mask of roles, categories or actions: bit (1u << value). */
typedef uint32_t policy_mask;
#define POLICY_BIT(value) ((policy_mask)1u << (unsigned)(value))
#define POLICY_PERSON_CATEGORIES (POLICY_BIT(POLICY_CATEGORY_AGGREGATES) - 1u)
#define POLICY_ALL_CATEGORIES (POLICY_BIT(POLICY_CATEGORY_COUNT) - 1u)
/* What a protocol without `transfer` lets a case transfer carry (docs/transfer.md). */
#define POLICY_TRANSFER_DEFAULT                                                            \
    (POLICY_BIT(POLICY_CATEGORY_IDENTITY) | POLICY_BIT(POLICY_CATEGORY_PLAN_MEASURES) |    \
     POLICY_BIT(POLICY_CATEGORY_OUTCOMES))

/* Limits of one document (a file larger than this is refused). */
#define POLICY_MAX_FILE_BYTES (1024 * 1024)
#define POLICY_MAX_ERRORS 20

/* The languages a name may be given in (`names:` of docs/policy.md), in this order. */
enum policy_language {
    POLICY_LANG_BS,
    POLICY_LANG_HR,
    POLICY_LANG_SR_LATN,
    POLICY_LANG_SR_CYRL,
    POLICY_LANG_EN,
    POLICY_LANG_COUNT,
};

struct policy_signatory {
    char *institution;           /* institution code, e.g. "prijedor.csr" */
    char *name;                  /* as written in the protocol; NULL when not given */
    char *names[POLICY_LANG_COUNT]; /* the name per language; NULL when not given */
    enum policy_role role;
    int line;
};

struct policy_priority_group {
    char *code;                  /* snake_case */
    char *name;
    char *names[POLICY_LANG_COUNT]; /* the name per language; NULL when not given */
};

struct policy_clause {
    int number;
    char *title;
    char *note;                  /* NULL when not given */
    policy_mask roles;           /* POLICY_BIT(enum policy_role) */
    policy_mask categories;      /* POLICY_BIT(enum policy_category) */
    policy_mask actions;         /* POLICY_BIT(enum policy_action) */
    int on_team;                 /* 1: only for the case team */
    int consent;                 /* 1: only with the person's current consent */
    int line;                    /* where the clause starts in the document */
};

/* One version of a municipality's protocol. Owns every string and array;
 * release with policy_free. Clauses are sorted by number. */
struct policy {
    char *municipality;
    char *title;
    int version;
    char effective[11];          /* "YYYY-MM-DD" */
    char *signed_by;             /* NULL when not given */
    char *supersedes;            /* NULL when not given */
    struct policy_signatory *signatories;
    size_t signatory_count;
    struct policy_priority_group *priority_groups;
    size_t priority_group_count;
    struct policy_clause *clauses;
    size_t clause_count;
    policy_mask transfer_send;    /* categories a transfer to another municipality may carry */
    policy_mask transfer_receive; /* categories a transfer from another may bring */
    char *source;                /* the document text as parsed (to store verbatim) */
};

/* "bs", "hr", "sr-Latn", "sr-Cyrl", "en". */
const char *policy_language_tag(enum policy_language language);

/* Releases what a successful parse allocated and zeroes the struct; safe on a zeroed one. */
void policy_free(struct policy *policy);

/* Codes as written in documents ("lead_agency", "education_work", "read"); NULL when
 * out of range. The _from_name functions return the value, or -1 for an unknown name. */
const char *policy_role_name(enum policy_role role);
int policy_role_from_name(const char *name);
const char *policy_category_name(enum policy_category category);
int policy_category_from_name(const char *name);
const char *policy_action_name(enum policy_action action);
int policy_action_from_name(const char *name);

/* 1 for the nine categories of a person's data, 0 for aggregates. */
int policy_category_is_person_level(enum policy_category category);

/* Who asks, about which case. Filled by the caller from the database. */
struct policy_subject {
    enum policy_role role;           /* the institution's role in the protocol in force */
    int on_team;                     /* the case's lead institution or an accepted referral */
    int is_lead_institution;         /* the lead agency institution of this case */
    int excluded;                    /* the lead excluded this institution/user from the case */
    policy_mask consented_categories;  /* current consent of the person to this institution */
    int person_has_safety_flag;      /* the person is flagged at risk */
};

/* Why a decision came out as it did (for audit and for PERMISSION_DENIED). */
enum policy_reason {
    POLICY_REASON_CLAUSE,            /* allowed by clause_number */
    POLICY_REASON_NO_POLICY,         /* no protocol given */
    POLICY_REASON_EXCLUDED,
    POLICY_REASON_COORDINATOR,
    POLICY_REASON_PROTECTED_ADDRESS,
    POLICY_REASON_NO_CLAUSE,
    POLICY_REASON_NOT_ON_TEAM,       /* clause_number names a clause limited to the team */
    POLICY_REASON_NO_CONSENT         /* clause_number names a clause requiring consent */
};

struct policy_decision {
    int allowed;
    /* Allowed: the clause that allows it. Denied for want of team membership or
     * consent: the clause whose condition failed. Otherwise 0. */
    int clause_number;
    enum policy_reason reason_code;
    char reason[256];                /* "visible: clause 4 of protocol prijedor v2", ... */
};

/*
 * Decides whether subject may perform action on category of one person's case.
 * protected_address: the field is the address of a person at risk (lead only); the
 * whole contact_address category is treated so when subject->person_has_safety_flag.
 * Invariants first (excluded, coordinator), then the clauses; a clause that would allow
 * a protected address is overruled, with a reason that does not name the risk (a caller
 * the clauses refuse gets their reason, flag or not); see docs/policy.md "Decisions".
 * A NULL policy denies everything.
 */
void policy_decide(const struct policy *policy, const struct policy_subject *subject,
                   enum policy_category category, enum policy_action action,
                   int protected_address, struct policy_decision *out);

/*
 * Renders the version as a plain-text document fit to print and sign. Returns 0
 * with *out a NUL-terminated string (caller frees), or -1 when out of memory.
 */
int policy_render_text(const struct policy *policy, char **out);

#endif
