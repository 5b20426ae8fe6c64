/*
 * Showing persons and decisions (see view.h). The server says per category
 * why it is visible or hidden; this file only lays that out. Categories come
 * in the order the server gives them, so a category added on the server needs
 * no change here.
 */
#include "view.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "doc_labels.h"
#include "i18n.h"
#include "output.h"
#include "table.h"

const char *view_decision_word(const Spona__V1__CategoryDecision *decision)
{
    int write = decision->action != NULL && strcmp(decision->action, "write") == 0;
    if (write)
        return decision->allowed ? "allowed" : "denied";
    return decision->allowed ? "visible" : "hidden";
}

const char *view_decision_reason(const Spona__V1__CategoryDecision *decision)
{
    static const char *const words[] = { "visible: ", "hidden: ", "allowed: ", "denied: " };
    const char *reason = decision->reason != NULL ? decision->reason : "";
    for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++)
        if (strncmp(reason, words[i], strlen(words[i])) == 0)
            return reason + strlen(words[i]);
    return reason;
}

/*
 * The reason of a decision in the user's language: from its clause and protocol version
 * (the server's English reason names the same); in English the server's own words.
 */
void view_decision_reason_text(const Spona__V1__CategoryDecision *decision, char *out,
                               size_t out_size)
{
    if (i18n_current() == I18N_EN)
        snprintf(out, out_size, "%s", view_decision_reason(decision));
    else if (decision->clause != 0 && decision->allowed)
        snprintf(out, out_size, _("clause %u of the protocol, version %u"),
                 (unsigned)decision->clause, (unsigned)decision->protocol_version);
    else if (decision->clause != 0)
        snprintf(out, out_size,
                 _("clause %u of the protocol, version %u, asks for team membership or consent"),
                 (unsigned)decision->clause, (unsigned)decision->protocol_version);
    else
        snprintf(out, out_size, "%s", _("no clause of the protocol allows it"));
}

void view_decision_json(struct json_writer *writer, const Spona__V1__CategoryDecision *decision)
{
    json_object_begin(writer, NULL);
    json_string(writer, "category", decision->category);
    json_string(writer, "action", decision->action);
    json_bool(writer, "allowed", decision->allowed);
    json_string(writer, "reason", decision->reason);
    json_uint(writer, "clause", decision->clause);
    json_uint(writer, "protocol_version", decision->protocol_version);
    json_object_end(writer);
}

void view_json_open(struct json_writer *writer)
{
    json_init(writer, stdout);
    json_object_begin(writer, NULL);
}

void view_fields_json(struct json_writer *writer, const char *key,
                      Spona__V1__PersonField *const *fields, size_t count)
{
    json_array_begin(writer, key);
    for (size_t i = 0; i < count; i++) {
        json_object_begin(writer, NULL);
        json_string(writer, "name", fields[i]->name);
        json_string(writer, "value", fields[i]->value);
        json_string(writer, "category", fields[i]->category);
        json_object_end(writer);
    }
    json_array_end(writer);
}

void view_decisions_json(struct json_writer *writer, const char *key,
                         Spona__V1__CategoryDecision *const *decisions, size_t count)
{
    json_array_begin(writer, key);
    for (size_t i = 0; i < count; i++)
        view_decision_json(writer, decisions[i]);
    json_array_end(writer);
}

void view_case_json(struct json_writer *writer, const Spona__V1__CaseView *view)
{
    json_string(writer, "case_id", view->case_id);
    json_string(writer, "number", view->number);
    json_string(writer, "person_id", view->person_id);
    json_string(writer, "stage", view->stage);
    json_string(writer, "lead_institution_code", view->lead_institution_code);
    json_string(writer, "opened_at", view->opened_at);
    json_uint(writer, "version", view->version);
    json_array_begin(writer, "team");
    for (size_t i = 0; i < view->n_team; i++) {
        json_object_begin(writer, NULL);
        json_string(writer, "institution_code", view->team[i]->institution_code);
        json_string(writer, "role", view->team[i]->role);
        json_string(writer, "via", view->team[i]->via);
        json_string(writer, "since", view->team[i]->since);
        json_object_end(writer);
    }
    json_array_end(writer);
    if (view->person != NULL) {
        json_object_begin(writer, "person");
        view_person_json(writer, view->person);
        json_object_end(writer);
    } else {
        json_string(writer, "person", NULL);
    }
}

void view_lines(FILE *out, const struct view_line *lines, size_t count)
{
    int width = 0;
    for (size_t i = 0; i < count; i++)
        if (lines[i].value != NULL && lines[i].value[0] != '\0' &&
            (int)output_width(lines[i].label) > width)
            width = (int)output_width(lines[i].label);
    for (size_t i = 0; i < count; i++) {
        if (lines[i].value == NULL || lines[i].value[0] == '\0')
            continue;
        output_text(out, lines[i].label);
        fprintf(out, "%*s", width + 2 - (int)output_width(lines[i].label), "");
        output_indented(out, lines[i].value, width + 2);
        fputc('\n', out);
    }
}

void view_person_json(struct json_writer *writer, const Spona__V1__PersonView *view)
{
    json_string(writer, "person_id", view->person_id);
    json_uint(writer, "version", view->version);
    view_fields_json(writer, "fields", view->fields, view->n_fields);
    json_array_begin(writer, "household");
    for (size_t i = 0; i < view->n_household; i++) {
        json_object_begin(writer, NULL);
        json_string(writer, "name", view->household[i]->name);
        json_string(writer, "relation", view->household[i]->relation);
        json_uint(writer, "birth_year", view->household[i]->birth_year);
        json_object_end(writer);
    }
    json_array_end(writer);
    json_array_begin(writer, "benefits");
    for (size_t i = 0; i < view->n_benefits; i++) {
        json_object_begin(writer, NULL);
        json_string(writer, "kind", view->benefits[i]->kind);
        json_string(writer, "since", view->benefits[i]->since);
        json_string(writer, "until", view->benefits[i]->until);
        json_string(writer, "amount", view->benefits[i]->amount);
        json_string(writer, "note", view->benefits[i]->note);
        json_object_end(writer);
    }
    json_array_end(writer);
    view_decisions_json(writer, "decisions", view->decisions, view->n_decisions);
}

/*
 * The household members and benefit periods (benefits_household rows), each a
 * table indented under its title; nothing for an empty list.
 */
static void view_household_text(FILE *out, const Spona__V1__PersonView *view)
{
    struct table table;
    int failed = 0;
    if (view->n_household > 0) {
        table_init(&table, 3);
        const char *header[] = { _("name"), _("relation"), _("born") };
        failed = table_add(&table, header);
        for (size_t i = 0; !failed && i < view->n_household; i++) {
            char year[16] = "";
            if (view->household[i]->birth_year != 0)
                snprintf(year, sizeof(year), "%u", view->household[i]->birth_year);
            const char *row[] = { view->household[i]->name,
                                  i18n_code_label("relation", view->household[i]->relation),
                                  year };
            failed = table_add(&table, row);
        }
        fputs(_("household\n"), out);
        table_print(&table, out, 2);
        table_free(&table);
    }
    if (view->n_benefits > 0) {
        table_init(&table, 5);
        const char *header[] = { _("kind"), _("since"), _("until"), _("amount (BAM)"),
                                 _("note") };
        failed = table_add(&table, header);
        for (size_t i = 0; !failed && i < view->n_benefits; i++) {
            const Spona__V1__BenefitPeriod *benefit = view->benefits[i];
            const char *row[] = { i18n_code_label("benefit_kind", benefit->kind), benefit->since,
                                  benefit->until[0] != '\0' ? benefit->until : _("ongoing"),
                                  benefit->amount, benefit->note };
            failed = table_add(&table, row);
        }
        fputs(_("benefit periods\n"), out);
        table_print(&table, out, 2);
        table_free(&table);
    }
}

/* Whether category is among the first count categories of order. */
static int view_seen(const char *const *order, size_t count, const char *category)
{
    for (size_t i = 0; i < count; i++)
        if (strcmp(order[i], category) == 0)
            return 1;
    return 0;
}

/* The fields of one category, "  name   value", names padded to name_width. */
static const Spona__V1__DirectoryResponse *view_directory;

void view_set_directory(const Spona__V1__DirectoryResponse *directory)
{
    view_directory = directory;
}

/* A priority_groups value ("code,code") as the protocol names the groups, into out. */
static const char *view_group_names(const char *codes, char *out, size_t size)
{
    if (view_directory == NULL)
        return codes;
    struct doc_labels labels = {.directory = view_directory};
    size_t used = 0;
    out[0] = '\0';
    for (const char *code = codes; *code != '\0' && used + 1 < size;) {
        size_t length = strcspn(code, ",");
        char one[128];
        snprintf(one, sizeof(one), "%.*s", (int)length, code);
        used += (size_t)snprintf(out + used, size - used, "%s%s", used > 0 ? ", " : "",
                                 doc_labels_group(&labels, one));
        code += length + (code[length] == ',');
    }
    return out;
}

static void view_category_fields(FILE *out, const Spona__V1__PersonView *view,
                                 const char *category, int name_width)
{
    int printed = 0;
    for (size_t i = 0; i < view->n_fields; i++) {
        const Spona__V1__PersonField *field = view->fields[i];
        if (strcmp(field->category, category) != 0)
            continue;
        if (!printed) {
            output_text(out, category[0] != '\0' ? i18n_code_label("category", category)
                                                 : _("(no category)"));
            fputc('\n', out);
            printed = 1;
        }
        fputs("  ", out);
        const char *label = i18n_code_label("field", field->name);
        output_text(out, label);
        fprintf(out, "%*s", name_width + 2 - (int)output_width(label), "");
        /* a yes/no field's value in words of the language */
        /* and sex as the language writes it (Ž, M) */
        const char *value = strcmp(field->value, "true") == 0    ? _("yes")
                            : strcmp(field->value, "false") == 0 ? _("no")
                            : strcmp(field->name, "sex") == 0    ? i18n_code_label("sex", field->value)
                                                                 : field->value;
        char groups[1024];
        if (strcmp(field->name, "priority_groups") == 0)
            value = view_group_names(field->value, groups, sizeof(groups));
        output_indented(out, value, name_width + 4);
        fputc('\n', out);
    }
}

void view_person_text(FILE *out, const Spona__V1__PersonView *view)
{
    output_printf(out, _("person %s  version %llu\n"), view->person_id,
                  (unsigned long long)view->version);

    /* categories: in the order of the decisions, then any only the fields name */
    size_t capacity = view->n_decisions + view->n_fields;
    const char **order = capacity > 0 ? calloc(capacity, sizeof(*order)) : NULL;
    size_t count = 0;
    int name_width = 0;
    for (size_t i = 0; order != NULL && i < view->n_decisions; i++)
        if (!view_seen(order, count, view->decisions[i]->category))
            order[count++] = view->decisions[i]->category;
    for (size_t i = 0; order != NULL && i < view->n_fields; i++) {
        if (!view_seen(order, count, view->fields[i]->category))
            order[count++] = view->fields[i]->category;
        int width = (int)output_width(i18n_code_label("field", view->fields[i]->name));
        if (width > name_width)
            name_width = width;
    }
    fputc('\n', out);
    if (view->n_fields == 0)
        fputs(_("(no field of this person is visible to you)\n"), out);
    for (size_t i = 0; i < count; i++)
        view_category_fields(out, view, order[i], name_width);
    free(order);
    view_household_text(out, view);
    view_decisions_text(out, view->decisions, view->n_decisions);
}

void view_decisions_text(FILE *out, Spona__V1__CategoryDecision *const *decisions,
                         size_t count)
{
    if (count == 0)
        return;
    struct table table;
    table_init(&table, 2);
    const char *header[] = { _("category"), _("access") };
    int failed = table_add(&table, header);
    for (size_t i = 0; !failed && i < count; i++) {
        const Spona__V1__CategoryDecision *decision = decisions[i];
        char label[128], reason[1024];
        int write = strcmp(view_decision_word(decision), "allowed") == 0 ||
                    strcmp(view_decision_word(decision), "denied") == 0;
        const char *category = i18n_code_label("category", decision->category);
        if (write)
            snprintf(label, sizeof(label), _("%s (write)"), category);
        else
            snprintf(label, sizeof(label), "%s", category);
        char why[900];
        view_decision_reason_text(decision, why, sizeof(why));
        snprintf(reason, sizeof(reason), "%s: %s",
                 i18n_code_label("access", view_decision_word(decision)), why);
        const char *row[] = { label, reason };
        failed = table_add(&table, row);
    }
    fputc('\n', out);
    table_print(&table, out, 0);
    table_free(&table);
}

void view_person_name(char *out, size_t size, const char *first, const char *last, int hidden)
{
    if (hidden || first == NULL || last == NULL || (first[0] == '\0' && last[0] == '\0'))
        snprintf(out, size, "%s", hidden ? _("(hidden)") : "");
    else
        snprintf(out, size, "%s %s", last, first);
}

/* Why a record suggests a stage, from the record that implies it (implied_by); an
 * older server's English reason when it sends no code. */
static const char *view_suggestion_reason(const Spona__V1__StageSuggestion *suggestion)
{
    const char *record = suggestion->implied_by;
    if (record == NULL || record[0] == '\0')
        return suggestion->reason;
    if (strcmp(record, "assessment") == 0)
        return _("the needs are assessed: a plan comes next");
    if (strcmp(record, "employed") == 0 || strcmp(record, "self_employed") == 0)
        return _("the person works: the case's goal is reached");
    if (strcmp(record, "dropped_out") == 0)
        return _("the person left the programme");
    if (strcmp(record, "in_training") == 0)
        return _("a measure is under way");
    return _("a measure has ended: time to review");
}

void view_stage_suggestion(FILE *out, const Spona__V1__StageSuggestion *suggestion,
                           const char *case_id)
{
    if (suggestion == NULL || suggestion->suggested_stage[0] == '\0')
        return;
    const char *current = i18n_code_label("stage", suggestion->current_stage);
    const char *reason = view_suggestion_reason(suggestion);
    if (suggestion->close_reason[0] != '\0')
        /* TRANSLATORS: %1$s the stage, %2$s why, %3$s the reason of closing; the command
         * in backquotes stays as it is */
        output_printf(out, _("the case is in stage %1$s; %2$s.\nsuggested: close the case "
                             "with reason %3$s: `spona case close %4$s --reason %5$s`\n"),
                      current, reason, i18n_code_label("close_reason", suggestion->close_reason),
                      case_id, suggestion->close_reason);
    else
        /* TRANSLATORS: %1$s the stage now, %2$s why, %3$s the stage suggested; the
         * command in backquotes stays as it is */
        output_printf(out, _("the case is in stage %1$s; %2$s.\nsuggested: move the case to "
                             "stage %3$s: `spona case advance %4$s --to %5$s`\n"),
                      current, reason, i18n_code_label("stage", suggestion->suggested_stage),
                      case_id, suggestion->suggested_stage);
}

void view_stage_suggestion_json(struct json_writer *writer,
                                const Spona__V1__StageSuggestion *suggestion)
{
    if (suggestion == NULL)
        return;
    json_object_begin(writer, "stage_suggestion");
    json_string(writer, "current_stage", suggestion->current_stage);
    json_string(writer, "suggested_stage", suggestion->suggested_stage);
    json_string(writer, "close_reason", suggestion->close_reason);
    json_string(writer, "reason", suggestion->reason);
    json_string(writer, "implied_by", suggestion->implied_by);
    json_object_end(writer);
}

const char *view_measure_words(const char *measure, char *out, size_t size)
{
    size_t code = strspn(measure, "abcdefghijklmnopqrstuvwxyz_");
    char kind[64];
    if (code == 0 || code >= sizeof(kind) || strncmp(measure + code, ": ", 2) != 0)
        return measure;
    snprintf(kind, sizeof(kind), "%.*s", (int)code, measure);
    const char *label = i18n_code_label("measure_kind", kind);
    const char *description = measure + code + 2;
    if (strcmp(label, kind) == 0)
        return measure; /* not a measure kind: text as typed */
    if (strcasecmp(description, label) == 0 || description[0] == '\0')
        snprintf(out, size, "%s", label);
    else
        snprintf(out, size, "%s: %s", label, description);
    return out;
}
