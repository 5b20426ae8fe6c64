/*
 * The policy engine's model: names of roles, categories and actions, the
 * decision function and the printable text of a protocol version. The
 * rules themselves come from the parsed document (policy_parse.c); the
 * only rules written here are the invariants of docs/policy.md, which no
 * document can switch off. Pure: no I/O, no clock, no global state.
 */
#include "policy.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const role_names[POLICY_ROLE_COUNT] = {
    [POLICY_ROLE_LEAD_AGENCY] = "lead_agency",
    [POLICY_ROLE_EMPLOYMENT_SERVICE] = "employment_service",
    [POLICY_ROLE_EDUCATION_PROVIDER] = "education_provider",
    [POLICY_ROLE_EMPLOYER_LIAISON] = "employer_liaison",
    [POLICY_ROLE_SERVICE_PROVIDER] = "service_provider",
    [POLICY_ROLE_COORDINATOR] = "coordinator",
};

/* The role as a printed document names it (without the article). */
static const char *const role_words[POLICY_ROLE_COUNT] = {
    [POLICY_ROLE_LEAD_AGENCY] = "lead agency",
    [POLICY_ROLE_EMPLOYMENT_SERVICE] = "employment service",
    [POLICY_ROLE_EDUCATION_PROVIDER] = "education provider",
    [POLICY_ROLE_EMPLOYER_LIAISON] = "employer liaison",
    [POLICY_ROLE_SERVICE_PROVIDER] = "service provider",
    [POLICY_ROLE_COORDINATOR] = "protocol coordinator",
};

static const char *const category_names[POLICY_CATEGORY_COUNT] = {
    [POLICY_CATEGORY_IDENTITY] = "identity",
    [POLICY_CATEGORY_CONTACT_ADDRESS] = "contact_address",
    [POLICY_CATEGORY_BENEFITS_HOUSEHOLD] = "benefits_household",
    [POLICY_CATEGORY_EDUCATION_WORK] = "education_work",
    [POLICY_CATEGORY_HEALTH_DISABILITY] = "health_disability",
    [POLICY_CATEGORY_SAFETY] = "safety",
    [POLICY_CATEGORY_PLAN_MEASURES] = "plan_measures",
    [POLICY_CATEGORY_CASE_NOTES] = "case_notes",
    [POLICY_CATEGORY_OUTCOMES] = "outcomes",
    [POLICY_CATEGORY_AGGREGATES] = "aggregates",
};

static const char *const category_words[POLICY_CATEGORY_COUNT] = {
    [POLICY_CATEGORY_IDENTITY] = "identity",
    [POLICY_CATEGORY_CONTACT_ADDRESS] = "contact details and address",
    [POLICY_CATEGORY_BENEFITS_HOUSEHOLD] = "social benefits and household",
    [POLICY_CATEGORY_EDUCATION_WORK] = "education, skills and work history",
    [POLICY_CATEGORY_HEALTH_DISABILITY] = "health and disability",
    [POLICY_CATEGORY_SAFETY] = "safety (domestic-violence status and protective measures)",
    [POLICY_CATEGORY_PLAN_MEASURES] = "the plan and measures",
    [POLICY_CATEGORY_CASE_NOTES] = "case notes",
    [POLICY_CATEGORY_OUTCOMES] = "outcomes",
    [POLICY_CATEGORY_AGGREGATES] = "aggregate indicators of the protocol (no person-level data)",
};

static const char *const action_names[POLICY_ACTION_COUNT] = {
    [POLICY_ACTION_READ] = "read",
    [POLICY_ACTION_WRITE] = "write",
};

static int name_lookup(const char *const *names, int count, const char *name)
{
    if (name == NULL)
        return -1;
    for (int i = 0; i < count; i++)
        if (strcmp(names[i], name) == 0)
            return i;
    return -1;
}

const char *policy_role_name(enum policy_role role)
{
    return (unsigned)role < POLICY_ROLE_COUNT ? role_names[role] : NULL;
}

int policy_role_from_name(const char *name)
{
    return name_lookup(role_names, POLICY_ROLE_COUNT, name);
}

const char *policy_category_name(enum policy_category category)
{
    return (unsigned)category < POLICY_CATEGORY_COUNT ? category_names[category] : NULL;
}

int policy_category_from_name(const char *name)
{
    return name_lookup(category_names, POLICY_CATEGORY_COUNT, name);
}

const char *policy_action_name(enum policy_action action)
{
    return (unsigned)action < POLICY_ACTION_COUNT ? action_names[action] : NULL;
}

int policy_action_from_name(const char *name)
{
    return name_lookup(action_names, POLICY_ACTION_COUNT, name);
}

int policy_category_is_person_level(enum policy_category category)
{
    return (unsigned)category < POLICY_CATEGORY_COUNT &&
           (POLICY_BIT(category) & POLICY_PERSON_CATEGORIES) != 0;
}

const char *policy_language_tag(enum policy_language language)
{
    static const char *const tags[POLICY_LANG_COUNT] = {"bs", "hr", "sr-Latn", "sr-Cyrl", "en"};
    return language < POLICY_LANG_COUNT ? tags[language] : "";
}

void policy_free(struct policy *policy)
{
    if (policy == NULL)
        return;
    free(policy->municipality);
    free(policy->title);
    free(policy->signed_by);
    free(policy->supersedes);
    for (size_t i = 0; i < policy->signatory_count; i++) {
        free(policy->signatories[i].institution);
        free(policy->signatories[i].name);
        for (size_t j = 0; j < POLICY_LANG_COUNT; j++)
            free(policy->signatories[i].names[j]);
    }
    free(policy->signatories);
    for (size_t i = 0; i < policy->priority_group_count; i++) {
        free(policy->priority_groups[i].code);
        free(policy->priority_groups[i].name);
        for (size_t j = 0; j < POLICY_LANG_COUNT; j++)
            free(policy->priority_groups[i].names[j]);
    }
    free(policy->priority_groups);
    for (size_t i = 0; i < policy->clause_count; i++) {
        free(policy->clauses[i].title);
        free(policy->clauses[i].note);
    }
    free(policy->clauses);
    free(policy->source);
    memset(policy, 0, sizeof(*policy));
}

/* --- decisions ------------------------------------------------------------------ */

/* Fills out: "visible: ..."/"..." for reads, "allowed: ..."/"denied: ..." for writes. */
__attribute__((format(printf, 5, 6)))
static void decide(struct policy_decision *out, enum policy_action action, int allowed,
                   enum policy_reason why, const char *format, ...)
{
    out->allowed = allowed;
    out->reason_code = why;
    const char *verdict = action == POLICY_ACTION_WRITE ? (allowed ? "allowed" : "denied")
                                                        : (allowed ? "visible" : "hidden");
    int prefix = snprintf(out->reason, sizeof(out->reason), "%s: ", verdict);
    va_list args;
    va_start(args, format);
    vsnprintf(out->reason + prefix, sizeof(out->reason) - (size_t)prefix, format, args);
    va_end(args);
}

/* The checks before any clause (no protocol, unknown values, exclusion, the
 * coordinator): 1 when one of them decided out, 0 when the clauses decide. */
static int decide_invariants(const struct policy *policy, const struct policy_subject *subject,
                             enum policy_category category, enum policy_action action,
                             struct policy_decision *out)
{
    if (policy == NULL || subject == NULL) {
        decide(out, POLICY_ACTION_READ, 0, POLICY_REASON_NO_POLICY, "no protocol in force");
        return 1;
    }
    if ((unsigned)subject->role >= POLICY_ROLE_COUNT ||
        (unsigned)category >= POLICY_CATEGORY_COUNT || (unsigned)action >= POLICY_ACTION_COUNT) {
        decide(out, POLICY_ACTION_READ, 0, POLICY_REASON_NO_CLAUSE,
               "protocol %s v%d knows no such role, category or action",
               policy->municipality != NULL ? policy->municipality : "?", policy->version);
        return 1;
    }
    if (subject->excluded) {
        decide(out, action, 0, POLICY_REASON_EXCLUDED,
               "excluded from this case by the lead agency");
        return 1;
    }
    if (subject->role == POLICY_ROLE_COORDINATOR && policy_category_is_person_level(category)) {
        decide(out, action, 0, POLICY_REASON_COORDINATOR,
               "the coordinator never sees person-level data");
        return 1;
    }
    return 0;
}

/* No clause allowed it: the reason names what would have opened it (consent first: on
 * the team, the person's consent is what would open it; then the team). */
static void decide_refused(const struct policy *policy, const struct policy_subject *subject,
                           enum policy_category category, enum policy_action action,
                           const struct policy_clause *team_failed,
                           const struct policy_clause *consent_failed,
                           struct policy_decision *out)
{
    const char *municipality = policy->municipality != NULL ? policy->municipality : "?";
    if (consent_failed != NULL) {
        out->clause_number = consent_failed->number;
        decide(out, action, 0, POLICY_REASON_NO_CONSENT,
               "clause %d of protocol %s v%d requires the person's consent for %s",
               consent_failed->number, municipality, policy->version, category_names[category]);
    } else if (team_failed != NULL) {
        out->clause_number = team_failed->number;
        decide(out, action, 0, POLICY_REASON_NOT_ON_TEAM,
               "not on the case team (clause %d of protocol %s v%d applies to the "
               "case team only)", team_failed->number, municipality, policy->version);
    } else {
        decide(out, action, 0, POLICY_REASON_NO_CLAUSE,
               "no clause of protocol %s v%d lets %s %s %s", municipality,
               policy->version, role_names[subject->role], action_names[action],
               category_names[category]);
    }
}

void policy_decide(const struct policy *policy, const struct policy_subject *subject,
                   enum policy_category category, enum policy_action action,
                   int protected_address, struct policy_decision *out)
{
    memset(out, 0, sizeof(*out));
    if (decide_invariants(policy, subject, category, action, out))
        return;
    /* The address of a person at risk, after the clauses: a caller they already refuse
     * is told the same as for anyone else, so the reason never says the person is
     * flagged (the safety category) to a caller who may not know it. */
    int address_at_risk = (protected_address || (subject->person_has_safety_flag &&
                                                 category == POLICY_CATEGORY_CONTACT_ADDRESS)) &&
                          !subject->is_lead_institution;

    /* The clauses: the lowest-numbered one whose conditions hold allows it. */
    int on_team = subject->on_team || subject->is_lead_institution;
    int consented = (subject->consented_categories & POLICY_BIT(category)) != 0;
    const struct policy_clause *team_failed = NULL;
    const struct policy_clause *consent_failed = NULL;
    for (size_t i = 0; i < policy->clause_count; i++) {
        const struct policy_clause *clause = &policy->clauses[i];
        if ((clause->roles & POLICY_BIT(subject->role)) == 0 ||
            (clause->categories & POLICY_BIT(category)) == 0 ||
            (clause->actions & POLICY_BIT(action)) == 0)
            continue;
        /* An aggregate concerns no one person: team and consent do not apply. */
        if (category != POLICY_CATEGORY_AGGREGATES) {
            if (clause->on_team && !on_team) {
                if (team_failed == NULL)
                    team_failed = clause;
                continue;
            }
            if (clause->consent && !consented) {
                if (consent_failed == NULL)
                    consent_failed = clause;
                continue;
            }
        }
        if (address_at_risk) {
            decide(out, action, 0, POLICY_REASON_PROTECTED_ADDRESS,
                   "this person's contact and address data are shown only to the lead "
                   "agency");
            return;
        }
        out->clause_number = clause->number;
        decide(out, action, 1, POLICY_REASON_CLAUSE, "clause %d of protocol %s v%d",
               clause->number, policy->municipality != NULL ? policy->municipality : "?",
               policy->version);
        return;
    }
    decide_refused(policy, subject, category, action, team_failed, consent_failed, out);
}

/* --- the printable document ---------------------------------------------------------- */

#define TEXT_WIDTH 78

/* Display columns of UTF-8 text (one per character; enough for Latin and Cyrillic). */
static size_t columns(const char *text, size_t length)
{
    size_t count = 0;
    for (size_t i = 0; i < length; i++)
        if (((unsigned char)text[i] & 0xC0) != 0x80)
            count++;
    return count;
}

/* Writes text word-wrapped at TEXT_WIDTH, continuing a line on which column
 * characters are already written; later lines start after indent spaces. Ends
 * with a newline. */
static void put_wrapped_at(FILE *stream, size_t column, int indent, const char *text)
{
    int line_empty = 1;
    const char *cursor = text;
    while (*cursor != '\0') {
        while (*cursor == ' ' || *cursor == '\n' || *cursor == '\t')
            cursor++;
        if (*cursor == '\0')
            break;
        size_t length = strcspn(cursor, " \n\t");
        size_t width = columns(cursor, length);
        if (!line_empty && column + 1 + width > TEXT_WIDTH) {
            fprintf(stream, "\n%*s", indent, "");
            column = (size_t)indent;
            line_empty = 1;
        }
        if (!line_empty) {
            fputc(' ', stream);
            column++;
        }
        fwrite(cursor, 1, length, stream);
        column += width;
        line_empty = 0;
        cursor += length;
    }
    fputc('\n', stream);
}

/* The same on a new line, the first after first_indent spaces. */
static void put_wrapped(FILE *stream, int first_indent, int indent, const char *text)
{
    fprintf(stream, "%*s", first_indent, "");
    put_wrapped_at(stream, (size_t)first_indent, indent, text);
}

/* Appends the words whose bit is in mask, each after article, joined by separator
 * and, before the last, by last_separator: "a, b and c" or "a; b; c". */
static void put_list(FILE *stream, const char *const *words, int count, policy_mask mask,
                     const char *article, const char *separator, const char *last_separator)
{
    int total = 0;
    for (int i = 0; i < count; i++)
        if (mask & POLICY_BIT(i))
            total++;
    int written = 0;
    for (int i = 0; i < count; i++) {
        if ((mask & POLICY_BIT(i)) == 0)
            continue;
        if (written > 0)
            fputs(written == total - 1 ? last_separator : separator, stream);
        fprintf(stream, "%s%s", article, words[i]);
        written++;
    }
}

static const char *actions_words(policy_mask actions)
{
    int read = (actions & POLICY_BIT(POLICY_ACTION_READ)) != 0;
    int write = (actions & POLICY_BIT(POLICY_ACTION_WRITE)) != 0;
    if (read && write)
        return "read and write";
    return write ? "write" : "read";
}

/* The clause as one plain-language sentence, e.g. "The employment service may read
 * education, skills and work history of persons on whose case team it is, with the
 * person's consent." Returns a string the caller frees, or NULL. */
static char *clause_sentence(const struct policy_clause *clause)
{
    char *text = NULL;
    size_t size = 0;
    FILE *stream = open_memstream(&text, &size);
    if (stream == NULL)
        return NULL;
    char *roles = NULL;
    size_t roles_size = 0;
    FILE *roles_stream = open_memstream(&roles, &roles_size);
    if (roles_stream == NULL) {
        fclose(stream);
        free(text);
        return NULL;
    }
    put_list(roles_stream, role_words, POLICY_ROLE_COUNT, clause->roles, "the ", ", ",
             " and ");
    fclose(roles_stream);
    if (roles == NULL) {
        fclose(stream);
        free(text);
        return NULL;
    }
    if (roles[0] != '\0')
        roles[0] = 'T';

    int plural = (clause->roles & (clause->roles - 1)) != 0;
    const char *subject_is = plural ? "they are" : "it is";
    policy_mask person = clause->categories & POLICY_PERSON_CATEGORIES;
    int person_count = 0;
    for (int i = 0; i < POLICY_CATEGORY_COUNT; i++)
        person_count += (person & POLICY_BIT(i)) != 0;
    int aggregates = (clause->categories & POLICY_BIT(POLICY_CATEGORY_AGGREGATES)) != 0;
    const char *actions = actions_words(clause->actions);

    if (person_count == 1) {
        /* "... may read education, skills and work history of persons on whose case
         * team it is, with the person's consent." */
        fprintf(stream, "%s may %s ", roles, actions);
        put_list(stream, category_words, POLICY_CATEGORY_COUNT, person, "", "", "");
        if (clause->on_team)
            fprintf(stream, " of persons on whose case team %s", subject_is);
        else
            fprintf(stream, " of persons, whether or not %s on their case team", subject_is);
        if (clause->consent)
            fputs(", with the person's consent", stream);
    } else if (person_count > 1) {
        /* Category names contain "and" and commas: list them after a colon. */
        fprintf(stream, "%s may %s, for persons ", roles, actions);
        if (clause->on_team)
            fprintf(stream, "on whose case team %s", subject_is);
        else
            fprintf(stream, "whether or not %s on their case team", subject_is);
        if (clause->consent)
            fputs(" and with the person's consent", stream);
        fputs(": ", stream);
        put_list(stream, category_words, POLICY_CATEGORY_COUNT, person, "", "; ", "; ");
    }
    if (aggregates) {
        if (person_count > 0)
            fprintf(stream, ". %s may also %s ", plural ? "They" : "It", actions);
        else
            fprintf(stream, "%s may %s ", roles, actions);
        fputs(category_words[POLICY_CATEGORY_AGGREGATES], stream);
    }
    fputc('.', stream);
    free(roles);
    if (fclose(stream) != 0) {
        free(text);
        return NULL;
    }
    return text;
}

static void put_heading(FILE *stream, const char *text, char underline)
{
    put_wrapped(stream, 0, 0, text);
    size_t width = columns(text, strlen(text));
    for (size_t i = 0; i < width && i < TEXT_WIDTH; i++)
        fputc(underline, stream);
    fputc('\n', stream);
}

static const char principles[] =
    "The signatories carry out this protocol under the principles of legality, "
    "transparency, partnership, equality and gender equality, accountability, "
    "efficiency, economy and professional expertise.";

static const char *const invariants[] = {
    "Anything no clause allows is denied.",
    "An institution the lead agency has excluded from a case sees nothing of that case.",
    "The protocol coordinator never sees data about a person, only aggregate indicators.",
    "The address and contact details of a person at risk are shown only to the lead "
    "agency of the case, whatever the other clauses say and with or without consent.",
    "The lead agency has no power that a clause does not give it.",
    "Every access to a person's data is recorded with the clause and protocol version "
    "that allowed it; the person may ask who saw their data and why.",
};

/* The printed protocol's head: title, municipality, version, dates, principles. */
static void render_head(FILE *stream, const struct policy *policy)
{
    put_heading(stream, policy->title != NULL ? policy->title : "", '=');
    fputc('\n', stream);
    fprintf(stream, "Municipality:  %s\n", policy->municipality != NULL ? policy->municipality : "");
    fprintf(stream, "Version:       %d\n", policy->version);
    fprintf(stream, "Effective:     %s\n", policy->effective);
    if (policy->signed_by != NULL) {
        fputs("Signed by:     ", stream);
        put_wrapped_at(stream, 15, 15, policy->signed_by);
    }
    if (policy->supersedes != NULL) {
        fputs("Amendment:     ", stream);
        put_wrapped_at(stream, 15, 15, policy->supersedes);
    }
    fputc('\n', stream);
    put_wrapped(stream, 0, 0, principles);
}

/* The signatories, the priority groups and the invariants. */
static void render_parties(FILE *stream, const struct policy *policy)
{
    fputc('\n', stream);
    put_heading(stream, "Signatories", '-');
    for (size_t i = 0; i < policy->signatory_count; i++) {
        const struct policy_signatory *signatory = &policy->signatories[i];
        int written = fprintf(stream, "  %-18s %-22s", signatory->institution,
                              role_words[signatory->role]);
        put_wrapped_at(stream, written > 0 ? (size_t)written : 0, 43,
                       signatory->name != NULL ? signatory->name : "");
    }
    if (policy->priority_group_count > 0) {
        fputc('\n', stream);
        put_heading(stream, "Priority vulnerable groups", '-');
        for (size_t i = 0; i < policy->priority_group_count; i++) {
            char line[1024];
            snprintf(line, sizeof(line), "- %s (%s)", policy->priority_groups[i].name,
                     policy->priority_groups[i].code);
            put_wrapped(stream, 2, 4, line);
        }
    }
    fputc('\n', stream);
    put_heading(stream, "What always holds", '-');
    for (size_t i = 0; i < sizeof(invariants) / sizeof(invariants[0]); i++) {
        char line[512];
        snprintf(line, sizeof(line), "- %s", invariants[i]);
        put_wrapped(stream, 2, 4, line);
    }
}

/* The clauses as sentences, with their titles and notes. -1 when out of memory. */
static int render_clauses(FILE *stream, const struct policy *policy)
{
    fputc('\n', stream);
    put_heading(stream, "Clauses", '-');
    for (size_t i = 0; i < policy->clause_count; i++) {
        const struct policy_clause *clause = &policy->clauses[i];
        char *sentence = clause_sentence(clause);
        if (sentence == NULL)
            return -1;
        size_t length = strlen(sentence) + 64;
        char *line = malloc(length);
        if (line == NULL) {
            free(sentence);
            return -1;
        }
        snprintf(line, length, "Clause %d. %s", clause->number, sentence);
        fputc('\n', stream);
        put_wrapped(stream, 0, 4, line);
        free(line);
        free(sentence);
        fputs("    Title: ", stream);
        put_wrapped_at(stream, 11, 11, clause->title);
        if (clause->note != NULL) {
            fputs("    Note:  ", stream);
            put_wrapped_at(stream, 11, 11, clause->note);
        }
    }
    return 0;
}

/* What a case transfer between municipalities carries out and lets in (docs/transfer.md). */
static void render_transfer(FILE *stream, const struct policy *policy)
{
    static const char *const leads[2] = {
        "A case transferred to another municipality of the region carries, of what the "
        "receiving protocol lets in: ",
        "A case transferred from another municipality brings in, of what the sending "
        "protocol lets go: ",
    };
    policy_mask masks[2] = {policy->transfer_send, policy->transfer_receive};
    fputc('\n', stream);
    put_heading(stream, "Transfer between municipalities", '-');
    for (int i = 0; i < 2; i++) {
        char *line = NULL;
        size_t size = 0;
        FILE *buffer = open_memstream(&line, &size);
        if (buffer == NULL)
            return;
        fputs(leads[i], buffer);
        if (masks[i] == 0)
            fputs("nothing", buffer);
        else
            put_list(buffer, category_words, POLICY_CATEGORY_COUNT, masks[i], "", "; ", "; ");
        fputc('.', buffer);
        if (fclose(buffer) == 0) {
            fputc('\n', stream);
            put_wrapped(stream, 0, 0, line);
        }
        free(line);
    }
}

/* A line to sign for each signatory. */
static void render_signatures(FILE *stream, const struct policy *policy)
{
    fputc('\n', stream);
    put_heading(stream, "Signatures", '-');
    for (size_t i = 0; i < policy->signatory_count; i++) {
        const struct policy_signatory *signatory = &policy->signatories[i];
        char line[1024];
        snprintf(line, sizeof(line), "For %s (%s), %s:",
                 signatory->name != NULL ? signatory->name : signatory->institution,
                 signatory->institution, role_words[signatory->role]);
        fputc('\n', stream);
        put_wrapped(stream, 0, 4, line);
        fputc('\n', stream);
        fputs("    ________________________________        Date: ______________\n", stream);
    }
}

int policy_render_text(const struct policy *policy, char **out)
{
    *out = NULL;
    char *text = NULL;
    size_t size = 0;
    FILE *stream = open_memstream(&text, &size);
    if (stream == NULL)
        return -1;
    render_head(stream, policy);
    render_parties(stream, policy);
    int failed = render_clauses(stream, policy);
    if (!failed) {
        render_transfer(stream, policy);
        render_signatures(stream, policy);
    }
    if (fclose(stream) != 0 || failed) {
        free(text);
        return -1;
    }
    *out = text;
    return 0;
}
