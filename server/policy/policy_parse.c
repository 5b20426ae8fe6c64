/*
 * Reads a policy document (docs/policy.md) into struct policy. libyaml builds
 * the document tree and gives every node its line; this file only checks the
 * shape and the values against the format and collects errors, each naming
 * its line, so one import shows every mistake at once. Institutions are
 * checked through the caller's list or callback: nothing here touches the
 * database. A document with any error yields no policy at all.
 */
#include "policy_parse.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

struct parse_error {
    int line;
    char message[400];
};

struct parser {
    const char *name;                  /* file name for messages */
    yaml_document_t *document;
    const struct policy_known_institutions *known;
    struct policy *policy;
    struct parse_error errors[POLICY_MAX_ERRORS];
    int error_count;
    int errors_dropped;
    int out_of_memory;
    int signatories_valid;             /* no error in signatories: roles can be checked */
    policy_mask signatory_roles;       /* roles some signatory holds */
};

/* Which keys a mapping may have; values[i] receives the node of keys[i].key. */
struct key_spec {
    const char *key;
    int required;
};

__attribute__((format(printf, 3, 4)))
static void parse_error(struct parser *parser, int line, const char *format, ...)
{
    if (parser->error_count == POLICY_MAX_ERRORS) {
        parser->errors_dropped++;
        return;
    }
    struct parse_error *error = &parser->errors[parser->error_count++];
    error->line = line;
    va_list args;
    va_start(args, format);
    vsnprintf(error->message, sizeof(error->message), format, args);
    va_end(args);
}

static int node_line(const yaml_node_t *node)
{
    return (int)node->start_mark.line + 1;
}

static yaml_node_t *node_at(struct parser *parser, int index)
{
    return yaml_document_get_node(parser->document, index);
}

static const char *scalar_value(const yaml_node_t *node)
{
    return (const char *)node->data.scalar.value;
}

/* A plain empty, "~" or "null" scalar: the key is present but says nothing. */
static int node_is_null(const yaml_node_t *node)
{
    if (node->type != YAML_SCALAR_NODE || node->data.scalar.style != YAML_PLAIN_SCALAR_STYLE)
        return 0;
    const char *value = scalar_value(node);
    return strcmp(value, "") == 0 || strcmp(value, "~") == 0 || strcmp(value, "null") == 0 ||
           strcmp(value, "Null") == 0 || strcmp(value, "NULL") == 0;
}

static const char *node_kind(const yaml_node_t *node)
{
    switch (node->type) {
    case YAML_SCALAR_NODE:
        return "a single value";
    case YAML_SEQUENCE_NODE:
        return "a list";
    case YAML_MAPPING_NODE:
        return "a mapping";
    default:
        return "nothing";
    }
}

/*
 * Matches the keys of a mapping against specs: unknown, duplicate and missing
 * required keys are errors. Returns 0 when map is a mapping (errors in its keys
 * are collected, the known values still filled), -1 when it is not one.
 */
static int map_keys(struct parser *parser, yaml_node_t *map, const char *where,
                    const struct key_spec *specs, size_t spec_count, yaml_node_t **values)
{
    for (size_t i = 0; i < spec_count; i++)
        values[i] = NULL;
    if (map->type != YAML_MAPPING_NODE) {
        parse_error(parser, node_line(map), "%s must be a mapping of keys, not %s", where,
                    node_kind(map));
        return -1;
    }
    for (yaml_node_pair_t *pair = map->data.mapping.pairs.start;
         pair < map->data.mapping.pairs.top; pair++) {
        yaml_node_t *key = node_at(parser, pair->key);
        yaml_node_t *value = node_at(parser, pair->value);
        if (key == NULL || value == NULL)
            continue;
        if (key->type != YAML_SCALAR_NODE) {
            parse_error(parser, node_line(key), "a key in %s must be a single word", where);
            continue;
        }
        size_t i;
        for (i = 0; i < spec_count; i++)
            if (strcmp(specs[i].key, scalar_value(key)) == 0)
                break;
        if (i == spec_count) {
            char expected[300] = "";
            size_t used = 0;
            for (size_t j = 0; j < spec_count && used < sizeof(expected); j++)
                used += (size_t)snprintf(expected + used, sizeof(expected) - used, "%s%s",
                                         j > 0 ? ", " : "", specs[j].key);
            parse_error(parser, node_line(key), "unknown key '%s' in %s (expected one of: %s)",
                        scalar_value(key), where, expected);
            continue;
        }
        if (values[i] != NULL) {
            parse_error(parser, node_line(key), "duplicate key '%s' in %s (first at line %d)",
                        specs[i].key, where, node_line(values[i]));
            continue;
        }
        values[i] = value;
    }
    for (size_t i = 0; i < spec_count; i++) {
        if (values[i] != NULL && node_is_null(values[i]) && specs[i].required) {
            parse_error(parser, node_line(values[i]), "'%s' in %s must not be empty",
                        specs[i].key, where);
            values[i] = NULL;
        } else if (values[i] == NULL && specs[i].required) {
            parse_error(parser, node_line(map), "missing required key '%s' in %s", specs[i].key,
                        where);
        } else if (values[i] != NULL && node_is_null(values[i])) {
            values[i] = NULL;   /* an optional key written without a value */
        }
    }
    return 0;
}

static char *copy_text(struct parser *parser, const char *text)
{
    char *copy = strdup(text);
    if (copy == NULL)
        parser->out_of_memory = 1;
    return copy;
}

/* A text value: returns an owned copy, or NULL (error reported) when not text or empty. */
static char *text_value(struct parser *parser, yaml_node_t *node, const char *key)
{
    if (node->type != YAML_SCALAR_NODE) {
        parse_error(parser, node_line(node), "'%s' must be text, not %s", key, node_kind(node));
        return NULL;
    }
    if (scalar_value(node)[0] == '\0') {
        parse_error(parser, node_line(node), "'%s' must not be empty", key);
        return NULL;
    }
    return copy_text(parser, scalar_value(node));
}

/*
 * `names`: a mapping of language tags (bs, hr, sr-Latn, sr-Cyrl, en) to the name in that
 * language (docs/policy.md). Each given name is copied into names[language].
 */
static void names_value(struct parser *parser, yaml_node_t *node, char **names)
{
    static const struct key_spec specs[POLICY_LANG_COUNT] = {
        {"bs", 0}, {"hr", 0}, {"sr-Latn", 0}, {"sr-Cyrl", 0}, {"en", 0},
    };
    yaml_node_t *values[POLICY_LANG_COUNT];
    if (map_keys(parser, node, "names", specs, POLICY_LANG_COUNT, values) != 0)
        return;
    for (size_t i = 0; i < POLICY_LANG_COUNT; i++)
        if (values[i] != NULL)
            names[i] = text_value(parser, values[i], specs[i].key);
}

/* A decimal integer in [1, 1000000]; returns 0 or -1 (not reported). */
static int positive_integer(const yaml_node_t *node, int *out)
{
    if (node->type != YAML_SCALAR_NODE)
        return -1;
    const char *value = scalar_value(node);
    if (value[0] < '0' || value[0] > '9')
        return -1;
    char *end;
    errno = 0;
    long number = strtol(value, &end, 10);
    if (errno != 0 || *end != '\0' || number < 1 || number > 1000000)
        return -1;
    *out = (int)number;
    return 0;
}

static int boolean_value(struct parser *parser, yaml_node_t *node, const char *key, int *out)
{
    if (node->type == YAML_SCALAR_NODE) {
        if (strcmp(scalar_value(node), "true") == 0) {
            *out = 1;
            return 0;
        }
        if (strcmp(scalar_value(node), "false") == 0) {
            *out = 0;
            return 0;
        }
    }
    parse_error(parser, node_line(node), "'%s' must be true or false", key);
    return -1;
}

/* Codes of municipalities and institutions, as the database constrains them:
 * [a-z0-9][a-z0-9._-]{1,62}. */
static int valid_code(const char *code)
{
    size_t length = strlen(code);
    if (length < 2 || length > 63)
        return 0;
    for (size_t i = 0; i < length; i++) {
        char c = code[i];
        int alnum = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
        if (!alnum && (i == 0 || (c != '.' && c != '_' && c != '-')))
            return 0;
    }
    return 1;
}

/* snake_case: [a-z][a-z0-9_]*, at most 63 characters. */
static int valid_snake_case(const char *code)
{
    size_t length = strlen(code);
    if (length < 1 || length > 63 || code[0] < 'a' || code[0] > 'z')
        return 0;
    for (size_t i = 1; i < length; i++) {
        char c = code[i];
        if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_'))
            return 0;
    }
    return 1;
}

/* YYYY-MM-DD naming a real day (years 1900-9999). */
static int valid_date(const char *text)
{
    if (strlen(text) != 10 || text[4] != '-' || text[7] != '-')
        return 0;
    for (int i = 0; i < 10; i++)
        if (i != 4 && i != 7 && (text[i] < '0' || text[i] > '9'))
            return 0;
    int year = atoi(text);
    int month = (text[5] - '0') * 10 + (text[6] - '0');
    int day = (text[8] - '0') * 10 + (text[9] - '0');
    static const int days[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (year < 1900 || month < 1 || month > 12 || day < 1)
        return 0;
    int leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
    int limit = days[month - 1] + (month == 2 && leap);
    return day <= limit;
}

static int institution_known(const struct policy_known_institutions *known,
                             const char *municipality, const char *code)
{
    if (known->lookup != NULL)
        return known->lookup(known->context, municipality, code) == 1;
    for (size_t i = 0; i < known->count; i++)
        if (known->codes[i] != NULL && strcmp(known->codes[i], code) == 0)
            return 1;
    return 0;
}

/* Reads a list of names (a single name counts as a list of one) into a mask.
 * from_name maps a name to its value or -1; kind and expected word the messages.
 * line_of[value] receives the line of each name's first mention. */
static policy_mask name_list(struct parser *parser, yaml_node_t *node, const char *key,
                             const char *kind, const char *expected,
                             int (*from_name)(const char *), int *line_of)
{
    size_t count;
    if (node->type == YAML_SEQUENCE_NODE) {
        count = (size_t)(node->data.sequence.items.top - node->data.sequence.items.start);
    } else if (node->type == YAML_SCALAR_NODE) {
        count = 1;
    } else {
        parse_error(parser, node_line(node), "'%s' must be a list of %ss, not %s", key, kind,
                    node_kind(node));
        return 0;
    }
    if (count == 0) {
        parse_error(parser, node_line(node), "'%s' must name at least one %s", key, kind);
        return 0;
    }
    policy_mask mask = 0;
    for (size_t i = 0; i < count; i++) {
        yaml_node_t *entry = node->type == YAML_SCALAR_NODE
                                 ? node
                                 : node_at(parser, node->data.sequence.items.start[i]);
        if (entry == NULL)
            continue;
        if (entry->type != YAML_SCALAR_NODE) {
            parse_error(parser, node_line(entry), "each entry of '%s' must be a %s, not %s",
                        key, kind, node_kind(entry));
            continue;
        }
        int value = from_name(scalar_value(entry));
        if (value < 0) {
            parse_error(parser, node_line(entry), "unknown %s '%s' (expected one of: %s)", kind,
                        scalar_value(entry), expected);
            continue;
        }
        if ((mask & POLICY_BIT(value)) == 0)
            line_of[value] = node_line(entry);
        mask |= POLICY_BIT(value);
    }
    return mask;
}

static void join_names(char *buffer, size_t size, const char *(*name_of)(int), int count)
{
    size_t used = 0;
    buffer[0] = '\0';
    for (int i = 0; i < count && used < size; i++)
        used += (size_t)snprintf(buffer + used, size - used, "%s%s", i > 0 ? ", " : "",
                                 name_of(i));
}

static const char *role_name_of(int value)
{
    return policy_role_name((enum policy_role)value);
}

static const char *category_name_of(int value)
{
    return policy_category_name((enum policy_category)value);
}

static const char *action_name_of(int value)
{
    return policy_action_name((enum policy_action)value);
}

/* --- sections of the document ----------------------------------------------------- */

static void parse_signatories(struct parser *parser, yaml_node_t *node)
{
    static const struct key_spec specs[] = {
        {"institution", 1}, {"role", 1}, {"name", 0}, {"names", 0},
    };
    enum { INSTITUTION, ROLE, NAME, NAMES, KEY_COUNT };
    struct policy *policy = parser->policy;
    int errors_before = parser->error_count + parser->errors_dropped;

    if (node->type != YAML_SEQUENCE_NODE) {
        parse_error(parser, node_line(node), "'signatories' must be a list, not %s",
                    node_kind(node));
        return;
    }
    size_t count = (size_t)(node->data.sequence.items.top - node->data.sequence.items.start);
    if (count == 0) {
        parse_error(parser, node_line(node), "'signatories' must name at least one institution");
        return;
    }
    policy->signatories = calloc(count, sizeof(*policy->signatories));
    if (policy->signatories == NULL) {
        parser->out_of_memory = 1;
        return;
    }
    char roles_expected[300];
    join_names(roles_expected, sizeof(roles_expected), role_name_of, POLICY_ROLE_COUNT);

    for (size_t i = 0; i < count; i++) {
        yaml_node_t *entry = node_at(parser, node->data.sequence.items.start[i]);
        yaml_node_t *values[KEY_COUNT];
        if (entry == NULL || map_keys(parser, entry, "signatory", specs, KEY_COUNT, values) != 0)
            continue;
        struct policy_signatory *signatory = &policy->signatories[policy->signatory_count++];
        signatory->line = node_line(entry);
        signatory->role = POLICY_ROLE_COUNT;
        if (values[INSTITUTION] != NULL) {
            signatory->institution = text_value(parser, values[INSTITUTION], "institution");
            const char *code = signatory->institution;
            int line = node_line(values[INSTITUTION]);
            if (code != NULL && !valid_code(code)) {
                parse_error(parser, line, "bad institution code '%s' (expected e.g. "
                            "prijedor.csr: lower-case letters, digits, '.', '_', '-')", code);
            } else if (code != NULL) {
                for (size_t j = 0; j + 1 < policy->signatory_count; j++) {
                    if (policy->signatories[j].institution != NULL &&
                        strcmp(policy->signatories[j].institution, code) == 0)
                        parse_error(parser, line, "institution '%s' is listed twice (first at "
                                    "line %d)", code, policy->signatories[j].line);
                }
                const char *municipality = policy->municipality != NULL ? policy->municipality
                                                                       : "";
                if (parser->known != NULL &&
                    !institution_known(parser->known, municipality, code))
                    parse_error(parser, line, "unknown institution '%s' (not registered in "
                                "municipality '%s')", code, municipality);
            }
        }
        if (values[ROLE] != NULL) {
            if (values[ROLE]->type != YAML_SCALAR_NODE) {
                parse_error(parser, node_line(values[ROLE]), "'role' must be a single role");
            } else {
                int role = policy_role_from_name(scalar_value(values[ROLE]));
                if (role < 0)
                    parse_error(parser, node_line(values[ROLE]),
                                "unknown role '%s' (expected one of: %s)",
                                scalar_value(values[ROLE]), roles_expected);
                else
                    signatory->role = (enum policy_role)role;
            }
        }
        if (values[NAME] != NULL)
            signatory->name = text_value(parser, values[NAME], "name");
        if (values[NAMES] != NULL)
            names_value(parser, values[NAMES], signatory->names);
        if (signatory->role < POLICY_ROLE_COUNT)
            parser->signatory_roles |= POLICY_BIT(signatory->role);
    }
    parser->signatories_valid = parser->error_count + parser->errors_dropped == errors_before;
    if (parser->signatories_valid &&
        (parser->signatory_roles & POLICY_BIT(POLICY_ROLE_LEAD_AGENCY)) == 0)
        parse_error(parser, node_line(node), "no signatory holds the role lead_agency");
}

static void parse_priority_groups(struct parser *parser, yaml_node_t *node)
{
    static const struct key_spec specs[] = {{"code", 1}, {"name", 1}, {"names", 0}};
    enum { CODE, NAME, NAMES, KEY_COUNT };
    struct policy *policy = parser->policy;

    if (node->type != YAML_SEQUENCE_NODE) {
        parse_error(parser, node_line(node), "'priority_groups' must be a list, not %s",
                    node_kind(node));
        return;
    }
    size_t count = (size_t)(node->data.sequence.items.top - node->data.sequence.items.start);
    if (count == 0)
        return;
    policy->priority_groups = calloc(count, sizeof(*policy->priority_groups));
    if (policy->priority_groups == NULL) {
        parser->out_of_memory = 1;
        return;
    }
    int *lines = calloc(count, sizeof(*lines));
    if (lines == NULL) {
        parser->out_of_memory = 1;
        return;
    }
    for (size_t i = 0; i < count; i++) {
        yaml_node_t *entry = node_at(parser, node->data.sequence.items.start[i]);
        yaml_node_t *values[KEY_COUNT];
        if (entry == NULL ||
            map_keys(parser, entry, "priority group", specs, KEY_COUNT, values) != 0)
            continue;
        size_t index = policy->priority_group_count++;
        struct policy_priority_group *group = &policy->priority_groups[index];
        if (values[CODE] != NULL) {
            group->code = text_value(parser, values[CODE], "code");
            lines[index] = node_line(values[CODE]);
            if (group->code != NULL && !valid_snake_case(group->code)) {
                parse_error(parser, lines[index], "bad priority group code '%s' (expected "
                            "snake_case: lower-case letters, digits and '_')", group->code);
            } else if (group->code != NULL) {
                for (size_t j = 0; j < index; j++)
                    if (policy->priority_groups[j].code != NULL &&
                        strcmp(policy->priority_groups[j].code, group->code) == 0)
                        parse_error(parser, lines[index], "duplicate priority group code '%s' "
                                    "(first at line %d)", group->code, lines[j]);
            }
        }
        if (values[NAME] != NULL)
            group->name = text_value(parser, values[NAME], "name");
        if (values[NAMES] != NULL)
            names_value(parser, values[NAMES], group->names);
    }
    free(lines);
}

static void parse_clause(struct parser *parser, yaml_node_t *entry, struct policy_clause *clause,
                         const char *roles_expected, const char *categories_expected,
                         const char *actions_expected)
{
    static const struct key_spec specs[] = {
        {"number", 1}, {"title", 1},    {"roles", 1},   {"categories", 1},
        {"actions", 1}, {"on_team", 0}, {"consent", 0}, {"note", 0},
    };
    enum { NUMBER, TITLE, ROLES, CATEGORIES, ACTIONS, ON_TEAM, CONSENT, NOTE, KEY_COUNT };
    yaml_node_t *values[KEY_COUNT];

    clause->line = node_line(entry);
    clause->on_team = 1;
    clause->consent = 0;
    if (map_keys(parser, entry, "clause", specs, KEY_COUNT, values) != 0)
        return;

    if (values[NUMBER] != NULL && positive_integer(values[NUMBER], &clause->number) != 0)
        parse_error(parser, node_line(values[NUMBER]),
                    "clause number must be an integer of at least 1");
    char label[32] = "clause";
    if (clause->number > 0)
        snprintf(label, sizeof(label), "clause %d", clause->number);

    if (values[TITLE] != NULL)
        clause->title = text_value(parser, values[TITLE], "title");
    if (values[NOTE] != NULL)
        clause->note = text_value(parser, values[NOTE], "note");
    if (values[ON_TEAM] != NULL)
        boolean_value(parser, values[ON_TEAM], "on_team", &clause->on_team);
    if (values[CONSENT] != NULL)
        boolean_value(parser, values[CONSENT], "consent", &clause->consent);

    int role_lines[POLICY_ROLE_COUNT] = {0};
    int category_lines[POLICY_CATEGORY_COUNT] = {0};
    int action_lines[POLICY_ACTION_COUNT] = {0};
    if (values[ROLES] != NULL)
        clause->roles = name_list(parser, values[ROLES], "roles", "role", roles_expected,
                                  policy_role_from_name, role_lines);
    if (values[CATEGORIES] != NULL)
        clause->categories = name_list(parser, values[CATEGORIES], "categories", "category",
                                       categories_expected, policy_category_from_name,
                                       category_lines);
    if (values[ACTIONS] != NULL)
        clause->actions = name_list(parser, values[ACTIONS], "actions", "action",
                                    actions_expected, policy_action_from_name, action_lines);

    /* Every role a clause grants must be held by a signatory. */
    if (parser->signatories_valid) {
        for (int role = 0; role < POLICY_ROLE_COUNT; role++)
            if ((clause->roles & POLICY_BIT(role)) &&
                (parser->signatory_roles & POLICY_BIT(role)) == 0)
                parse_error(parser, role_lines[role], "%s: no signatory holds the role '%s'",
                            label, policy_role_name((enum policy_role)role));
    }
    /* The coordinator may be granted aggregates only (an invariant, checked here too). */
    if ((clause->roles & POLICY_BIT(POLICY_ROLE_COORDINATOR)) &&
        (clause->categories & POLICY_PERSON_CATEGORIES)) {
        for (int category = 0; category < POLICY_CATEGORY_COUNT; category++) {
            if ((clause->categories & POLICY_BIT(category) & POLICY_PERSON_CATEGORIES) == 0)
                continue;
            parse_error(parser, category_lines[category],
                        "%s gives the coordinator person-level data ('%s'); the coordinator "
                        "may be granted aggregates only", label,
                        policy_category_name((enum policy_category)category));
            break;
        }
    }
    if ((clause->categories & POLICY_BIT(POLICY_CATEGORY_AGGREGATES)) &&
        (clause->actions & POLICY_BIT(POLICY_ACTION_WRITE)))
        parse_error(parser, action_lines[POLICY_ACTION_WRITE],
                    "%s: aggregates can only be read, not written", label);
}

static int compare_clauses(const void *left, const void *right)
{
    const struct policy_clause *a = left, *b = right;
    return (a->number > b->number) - (a->number < b->number);
}

static void parse_clauses(struct parser *parser, yaml_node_t *node)
{
    struct policy *policy = parser->policy;
    if (node->type != YAML_SEQUENCE_NODE) {
        parse_error(parser, node_line(node), "'clauses' must be a list, not %s", node_kind(node));
        return;
    }
    size_t count = (size_t)(node->data.sequence.items.top - node->data.sequence.items.start);
    if (count == 0) {
        parse_error(parser, node_line(node), "'clauses' must hold at least one clause");
        return;
    }
    policy->clauses = calloc(count, sizeof(*policy->clauses));
    if (policy->clauses == NULL) {
        parser->out_of_memory = 1;
        return;
    }
    char roles_expected[300], categories_expected[400], actions_expected[64];
    join_names(roles_expected, sizeof(roles_expected), role_name_of, POLICY_ROLE_COUNT);
    join_names(categories_expected, sizeof(categories_expected), category_name_of,
               POLICY_CATEGORY_COUNT);
    join_names(actions_expected, sizeof(actions_expected), action_name_of, POLICY_ACTION_COUNT);

    for (size_t i = 0; i < count; i++) {
        yaml_node_t *entry = node_at(parser, node->data.sequence.items.start[i]);
        if (entry == NULL)
            continue;
        struct policy_clause *clause = &policy->clauses[policy->clause_count++];
        parse_clause(parser, entry, clause, roles_expected, categories_expected,
                     actions_expected);
        for (size_t j = 0; j + 1 < policy->clause_count && clause->number > 0; j++)
            if (policy->clauses[j].number == clause->number) {
                parse_error(parser, clause->line, "duplicate clause number %d (first at line %d)",
                            clause->number, policy->clauses[j].line);
                break;
            }
    }
    qsort(policy->clauses, policy->clause_count, sizeof(*policy->clauses), compare_clauses);
}

/* transfer: {send: [categories], receive: [categories]} (docs/policy.md, "Transfer
 * between municipalities"). A key left out keeps POLICY_TRANSFER_DEFAULT; an empty
 * list means none. */
static void parse_transfer(struct parser *parser, yaml_node_t *node)
{
    static const struct key_spec specs[] = {{"send", 0}, {"receive", 0}};
    yaml_node_t *values[2];
    if (map_keys(parser, node, "transfer", specs, 2, values) != 0)
        return;
    policy_mask *masks[] = {&parser->policy->transfer_send, &parser->policy->transfer_receive};
    char expected[400];
    join_names(expected, sizeof(expected), category_name_of, POLICY_CATEGORY_AGGREGATES);
    for (size_t i = 0; i < 2; i++) {
        yaml_node_t *list = values[i];
        if (list == NULL)
            continue;
        if (list->type == YAML_SEQUENCE_NODE &&
            list->data.sequence.items.top == list->data.sequence.items.start) {
            *masks[i] = 0;
            continue;
        }
        int line_of[POLICY_CATEGORY_COUNT] = {0};
        policy_mask mask = name_list(parser, list, specs[i].key, "category", expected,
                                     policy_category_from_name, line_of);
        if (mask & POLICY_BIT(POLICY_CATEGORY_AGGREGATES))
            parse_error(parser, line_of[POLICY_CATEGORY_AGGREGATES],
                        "transfer %s: aggregates concern no one person and do not travel",
                        specs[i].key);
        *masks[i] = mask & POLICY_PERSON_CATEGORIES;
    }
}

static void parse_protocol(struct parser *parser, yaml_node_t *node)
{
    static const struct key_spec specs[] = {
        {"municipality", 1}, {"title", 1},       {"version", 1},
        {"effective", 1},    {"signed_by", 0},   {"supersedes", 0},
        {"signatories", 1},  {"priority_groups", 0}, {"clauses", 1},
        {"transfer", 0},
    };
    enum {
        MUNICIPALITY, TITLE, VERSION, EFFECTIVE, SIGNED_BY, SUPERSEDES, SIGNATORIES,
        PRIORITY_GROUPS, CLAUSES, TRANSFER, KEY_COUNT
    };
    yaml_node_t *values[KEY_COUNT];
    struct policy *policy = parser->policy;

    if (map_keys(parser, node, "protocol", specs, KEY_COUNT, values) != 0)
        return;
    if (values[MUNICIPALITY] != NULL) {
        policy->municipality = text_value(parser, values[MUNICIPALITY], "municipality");
        if (policy->municipality != NULL && !valid_code(policy->municipality))
            parse_error(parser, node_line(values[MUNICIPALITY]), "bad municipality code '%s' "
                        "(expected lower-case letters, digits, '.', '_', '-')",
                        policy->municipality);
    }
    if (values[TITLE] != NULL)
        policy->title = text_value(parser, values[TITLE], "title");
    if (values[VERSION] != NULL && positive_integer(values[VERSION], &policy->version) != 0)
        parse_error(parser, node_line(values[VERSION]),
                    "version must be an integer of at least 1");
    if (values[EFFECTIVE] != NULL) {
        const yaml_node_t *date = values[EFFECTIVE];
        if (date->type != YAML_SCALAR_NODE || !valid_date(scalar_value(date)))
            parse_error(parser, node_line(date), "bad date '%s' for 'effective' (expected a "
                        "real date as YYYY-MM-DD)",
                        date->type == YAML_SCALAR_NODE ? scalar_value(date) : "");
        else
            memcpy(policy->effective, scalar_value(date), sizeof(policy->effective));
    }
    if (values[SIGNED_BY] != NULL)
        policy->signed_by = text_value(parser, values[SIGNED_BY], "signed_by");
    if (values[SUPERSEDES] != NULL)
        policy->supersedes = text_value(parser, values[SUPERSEDES], "supersedes");
    /* Signatories before clauses, whatever the order in the file: clauses refer to them. */
    if (values[SIGNATORIES] != NULL)
        parse_signatories(parser, values[SIGNATORIES]);
    if (values[PRIORITY_GROUPS] != NULL)
        parse_priority_groups(parser, values[PRIORITY_GROUPS]);
    if (values[CLAUSES] != NULL)
        parse_clauses(parser, values[CLAUSES]);
    policy->transfer_send = POLICY_TRANSFER_DEFAULT;
    policy->transfer_receive = POLICY_TRANSFER_DEFAULT;
    if (values[TRANSFER] != NULL)
        parse_transfer(parser, values[TRANSFER]);
}

/* --- entry points ------------------------------------------------------------------------ */

/* Line (1-based) of a byte offset, for reader errors that carry only an offset. */
static int line_of_offset(const char *text, size_t length, size_t offset)
{
    int line = 1;
    for (size_t i = 0; i < offset && i < length; i++)
        if (text[i] == '\n')
            line++;
    return line;
}

static void report_syntax_error(struct parser *parser, const yaml_parser_t *yaml,
                                const char *text, size_t length)
{
    int line = yaml->error == YAML_READER_ERROR
                   ? line_of_offset(text, length, yaml->problem_offset)
                   : (int)yaml->problem_mark.line + 1;
    const char *problem = yaml->problem != NULL ? yaml->problem : "unreadable document";
    if (yaml->error == YAML_MEMORY_ERROR)
        parser->out_of_memory = 1;
    else if (yaml->context != NULL)
        parse_error(parser, line, "YAML syntax error: %s (%s at line %d)", problem,
                    yaml->context, (int)yaml->context_mark.line + 1);
    else
        parse_error(parser, line, "YAML syntax error: %s", problem);
}

/* Writes the collected errors, in line order, as "NAME:LINE: message" lines. */
static void format_errors(struct parser *parser, char *err, size_t err_size)
{
    if (err == NULL || err_size == 0)
        return;
    err[0] = '\0';
    if (parser->out_of_memory && parser->error_count == 0) {
        snprintf(err, err_size, "%s: out of memory", parser->name);
        return;
    }
    /* Insertion sort: stable, and there are at most POLICY_MAX_ERRORS. */
    for (int i = 1; i < parser->error_count; i++) {
        struct parse_error moving = parser->errors[i];
        int j = i - 1;
        while (j >= 0 && parser->errors[j].line > moving.line) {
            parser->errors[j + 1] = parser->errors[j];
            j--;
        }
        parser->errors[j + 1] = moving;
    }
    size_t used = 0;
    for (int i = 0; i < parser->error_count && used < err_size; i++)
        used += (size_t)snprintf(err + used, err_size - used, "%s%s:%d: %s", i > 0 ? "\n" : "",
                                 parser->name, parser->errors[i].line,
                                 parser->errors[i].message);
    if (parser->errors_dropped > 0 && used < err_size)
        snprintf(err + used, err_size - used, "\n%s: %d more errors not shown", parser->name,
                 parser->errors_dropped);
}

int policy_parse_string(const char *text, size_t length, const char *name,
                        const struct policy_known_institutions *known, struct policy *out,
                        char *err, size_t err_size)
{
    struct parser parser;
    memset(&parser, 0, sizeof(parser));
    parser.name = name != NULL ? name : "<policy>";
    parser.known = known;
    parser.policy = out;
    memset(out, 0, sizeof(*out));
    if (err != NULL && err_size > 0)
        err[0] = '\0';

    yaml_parser_t yaml;
    yaml_document_t document;
    int have_document = 0;
    if (!yaml_parser_initialize(&yaml)) {
        snprintf(err, err_size, "%s: out of memory", parser.name);
        return -1;
    }
    yaml_parser_set_input_string(&yaml, (const unsigned char *)text, length);
    if (!yaml_parser_load(&yaml, &document)) {
        report_syntax_error(&parser, &yaml, text, length);
        goto failed;
    }
    have_document = 1;
    parser.document = &document;

    yaml_node_t *root = yaml_document_get_root_node(&document);
    if (root == NULL) {
        parse_error(&parser, 1, "empty document: expected 'protocol:'");
        goto failed;
    }
    static const struct key_spec top_specs[] = {{"protocol", 1}};
    yaml_node_t *protocol;
    if (map_keys(&parser, root, "the document", top_specs, 1, &protocol) == 0 &&
        protocol != NULL)
        parse_protocol(&parser, protocol);

    /* One document per file: a second one would be silently ignored otherwise. */
    yaml_document_t next;
    if (!yaml_parser_load(&yaml, &next)) {
        report_syntax_error(&parser, &yaml, text, length);
    } else {
        yaml_node_t *next_root = yaml_document_get_root_node(&next);
        if (next_root != NULL)
            parse_error(&parser, node_line(next_root),
                        "a second YAML document: one protocol version per file");
        yaml_document_delete(&next);
    }
    if (parser.error_count > 0 || parser.out_of_memory)
        goto failed;

    out->source = malloc(length + 1);
    if (out->source == NULL) {
        parser.out_of_memory = 1;
        goto failed;
    }
    memcpy(out->source, text, length);
    out->source[length] = '\0';
    yaml_document_delete(&document);
    yaml_parser_delete(&yaml);
    return 0;

failed:
    format_errors(&parser, err, err_size);
    policy_free(out);
    if (have_document)
        yaml_document_delete(&document);
    yaml_parser_delete(&yaml);
    return -1;
}

int policy_parse_file(const char *path, const struct policy_known_institutions *known,
                      struct policy *out, char *err, size_t err_size)
{
    memset(out, 0, sizeof(*out));
    char *text = NULL;
    int result = -1;
    FILE *file = fopen(path, "rb");
    if (file == NULL) {
        snprintf(err, err_size, "%s: cannot open: %s", path, strerror(errno));
        return -1;
    }
    text = malloc(POLICY_MAX_FILE_BYTES + 1);
    if (text == NULL) {
        snprintf(err, err_size, "%s: out of memory", path);
        goto done;
    }
    size_t length = fread(text, 1, POLICY_MAX_FILE_BYTES + 1, file);
    if (ferror(file)) {
        snprintf(err, err_size, "%s: cannot read: %s", path, strerror(errno));
        goto done;
    }
    if (length > POLICY_MAX_FILE_BYTES) {
        snprintf(err, err_size, "%s: larger than %d bytes", path, POLICY_MAX_FILE_BYTES);
        goto done;
    }
    result = policy_parse_string(text, length, path, known, out, err, err_size);

done:
    free(text);
    fclose(file);
    return result;
}
