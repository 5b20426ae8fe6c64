/*
 * Finding what a request acts on (see subject.h). The row of the request table
 * names the subject's kind and the body's field that holds its id; this file
 * reads the field by reflection, checks it, and computes the caller's subject
 * with access.h. A referral or an outcome leads to its case. A caller excluded
 * from any case of the person is marked (access_case.caller_excluded) for the
 * pipeline's gate.
 */
#include "subject.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "statements.h"

const struct db_statement subject_statements[] = {
    /* under row-level security: the team and the institution a referral is addressed to */
    {"subject_referral_case",
     "SELECT r.case_id, spona_case_person_excluded(r.case_id) FROM referrals r"
     " WHERE r.id = $1::uuid"},
    {"subject_outcome_case", "SELECT o.case_id FROM outcomes o WHERE o.id = $1::uuid"},
    /* row security hides the subject from an excluded caller: is that why (sql/017)? */
    {"subject_excluded", "SELECT person_id, case_id FROM spona_excluded_subject($1, $2::uuid)"},
    /* a case number: the id it stands for in the caller's municipality (sql/040) */
    {"subject_case_number", "SELECT spona_case_by_number($1)"},
    {NULL, NULL},
};

const char *subject_field_text(const spona_request *request, const char *field)
{
    if (request == NULL || field == NULL || request->body_case == 0)
        return NULL;
    const ProtobufCFieldDescriptor *body = protobuf_c_message_descriptor_get_field(
        &spona__v1__request__descriptor, (unsigned)request->body_case);
    if (body == NULL || body->type != PROTOBUF_C_TYPE_MESSAGE)
        return NULL;
    const ProtobufCMessage *message =
        *(const ProtobufCMessage *const *)(const void *)((const char *)request + body->offset);
    if (message == NULL)
        return NULL;
    const ProtobufCFieldDescriptor *id =
        protobuf_c_message_descriptor_get_field_by_name(message->descriptor, field);
    if (id == NULL || id->type != PROTOBUF_C_TYPE_STRING || id->label == PROTOBUF_C_LABEL_REPEATED)
        return NULL;
    return *(const char *const *)(const void *)((const char *)message + id->offset);
}

int subject_is_case_number(const char *text)
{
    /* SHORT-YYYY-NNNN: 1-6 letters, a year, 4-9 digits (sql/040) */
    size_t at = 0, letters = 0, digits = 0;
    while (letters < 7 && ((text[at] >= 'A' && text[at] <= 'Z') || (text[at] >= 'a' && text[at] <= 'z')))
        at++, letters++;
    if (letters < 1 || letters > 6 || text[at++] != '-')
        return 0;
    for (int i = 0; i < 4; i++)
        if (text[at++] < '0' || text[at - 1] > '9')
            return 0;
    if (text[at++] != '-')
        return 0;
    while (text[at] >= '0' && text[at] <= '9' && digits < 10)
        at++, digits++;
    return digits >= 4 && digits <= 9 && text[at] == '\0';
}

/* Puts text in place of the body's string field (the request's own copy, freed with free). */
static int subject_field_replace(spona_request *request, const char *field, const char *text)
{
    const ProtobufCFieldDescriptor *body = protobuf_c_message_descriptor_get_field(
        &spona__v1__request__descriptor, (unsigned)request->body_case);
    ProtobufCMessage *message = *(ProtobufCMessage **)(void *)((char *)request + body->offset);
    const ProtobufCFieldDescriptor *id =
        protobuf_c_message_descriptor_get_field_by_name(message->descriptor, field);
    char **slot = (char **)(void *)((char *)message + id->offset);
    char *copy = strdup(text);
    if (copy == NULL)
        return -1;
    if (*slot != NULL && *slot != protobuf_c_empty_string)
        free(*slot);
    *slot = copy;
    return 0;
}

/*
 * A case number where a case id is expected: the id it stands for, put in the body in
 * place of the number, so that the gates and the handler see an id. An unknown number
 * becomes the nil UUID, which no case has: the subject step answers NOT_FOUND and audits
 * it, as for an unknown id, without quoting either.
 */
static spona_status subject_case_number(struct request_context *ctx, const char *number)
{
    char upper[32];
    snprintf(upper, sizeof(upper), "%s", number);
    for (char *c = upper; *c != '\0'; c++)
        if (*c >= 'a' && *c <= 'z')
            *c = (char)(*c - 'a' + 'A');
    const char *params[] = {upper};
    spona_status status;
    PGresult *result = request_query(ctx, "subject_case_number", 1, params, &status);
    if (result == NULL)
        return status;
    const char *id = PQntuples(result) == 1 && !PQgetisnull(result, 0, 0)
                         ? PQgetvalue(result, 0, 0)
                         : "00000000-0000-0000-0000-000000000000";
    snprintf(ctx->subject_id, sizeof(ctx->subject_id), "%s", id);
    PQclear(result);
    ctx->subject_by_number = 1;
    if (subject_field_replace(ctx->job->request, ctx->kind->subject_field, ctx->subject_id) != 0) {
        snprintf(ctx->message, sizeof(ctx->message), "out of memory");
        return SPONA__V1__STATUS__INTERNAL;
    }
    return SPONA__V1__STATUS__OK;
}

spona_status subject_check_id(struct request_context *ctx, const spona_request *request)
{
    const char *field = ctx->kind->subject_field;
    if (field == NULL)
        return SPONA__V1__STATUS__OK;
    const char *id = subject_field_text(request, field);
    if (id != NULL && strcmp(field, "case_id") == 0 && subject_is_case_number(id) &&
        request == ctx->job->request)
        return subject_case_number(ctx, id);
    if (id == NULL || !request_is_uuid(id)) {
        snprintf(ctx->message, sizeof(ctx->message), "%s: not a UUID", field);
        return SPONA__V1__STATUS__INVALID_ARGUMENT;
    }
    snprintf(ctx->subject_id, sizeof(ctx->subject_id), "%s", id);
    return SPONA__V1__STATUS__OK;
}

void subject_not_found(struct request_context *ctx)
{
    static const char *const names[] = {
        [REQUEST_SUBJECT_PERSON] = "person", [REQUEST_SUBJECT_CASE] = "case",
        [REQUEST_SUBJECT_REFERRAL] = "referral", [REQUEST_SUBJECT_OUTCOME] = "outcome"};
    enum request_subject kind = ctx->kind->subject;
    const char *name = kind < sizeof(names) / sizeof(names[0]) && names[kind] != NULL
                           ? names[kind]
                           : "record";
    if (ctx->subject_by_number) /* the number the client gave is never quoted */
        snprintf(ctx->message, sizeof(ctx->message), "no case with that number that you may see");
    else
        snprintf(ctx->message, sizeof(ctx->message), "no %s %s that you may see", name,
                 ctx->subject_id);
    error_code_set(&ctx->error, "not_visible");
    error_code_param(&ctx->error, "record", name);
}

/* The case a referral or an outcome belongs to, as the caller may see it. */
static spona_status subject_case_of(struct request_context *ctx, const char *statement,
                                    char case_id[UUID_TEXT], int *excluded)
{
    const char *params[] = {ctx->subject_id};
    spona_status status;
    PGresult *result = request_query(ctx, statement, 1, params, &status);
    if (result == NULL)
        return status;
    int found = PQntuples(result) == 1;
    if (found) {
        db_copy(result, 0, 0, case_id, UUID_TEXT);
        *excluded = PQnfields(result) > 1 && strcmp(PQgetvalue(result, 0, 1), "t") == 0;
    }
    PQclear(result);
    if (!found) {
        subject_not_found(ctx);
        return SPONA__V1__STATUS__NOT_FOUND;
    }
    return SPONA__V1__STATUS__OK;
}

/* A referral: its case; the institution it is addressed to may not be on the team yet. */
static spona_status subject_referral(struct request_context *ctx)
{
    char case_id[UUID_TEXT];
    int excluded = 0;
    spona_status status = subject_case_of(ctx, "subject_referral_case", case_id, &excluded);
    if (status != SPONA__V1__STATUS__OK)
        return status;
    status = access_case_subject(ctx, case_id, NULL, &ctx->subject);
    if (status == SPONA__V1__STATUS__NOT_FOUND) {
        /* addressed to the caller, who is not (yet) on the case's team */
        memset(&ctx->subject, 0, sizeof(ctx->subject));
        snprintf(ctx->subject.case_id, sizeof(ctx->subject.case_id), "%s", case_id);
        ctx->subject.caller_excluded = excluded;
        ctx->message[0] = '\0';
        request_set_ids(ctx, NULL, case_id);
        return SPONA__V1__STATUS__OK;
    }
    if (status != SPONA__V1__STATUS__OK)
        return status;
    ctx->has_subject = 1;
    return SPONA__V1__STATUS__OK;
}

/*
 * After NOT_FOUND: when the caller is excluded from the subject's person (which row
 * security hides from it), marks the subject for the pipeline's gate with the person
 * and case for the refusal's audit record, and returns OK; otherwise status.
 */
static spona_status subject_excluded(struct request_context *ctx, spona_status status)
{
    static const char *const kinds[] = {
        [REQUEST_SUBJECT_PERSON] = "person", [REQUEST_SUBJECT_CASE] = "case",
        [REQUEST_SUBJECT_REFERRAL] = "referral", [REQUEST_SUBJECT_OUTCOME] = "outcome"};
    enum request_subject kind = ctx->kind->subject;
    if (kind >= sizeof(kinds) / sizeof(kinds[0]) || kinds[kind] == NULL)
        return status;
    const char *params[] = {kinds[kind], ctx->subject_id};
    spona_status error;
    PGresult *result = request_query(ctx, "subject_excluded", 2, params, &error);
    if (result == NULL)
        return error;
    if (PQntuples(result) == 1) {
        memset(&ctx->subject, 0, sizeof(ctx->subject));
        db_copy(result, 0, 0, ctx->subject.person_id, sizeof(ctx->subject.person_id));
        db_copy(result, 0, 1, ctx->subject.case_id, sizeof(ctx->subject.case_id));
        ctx->subject.caller_excluded = 1;
        status = SPONA__V1__STATUS__OK;
    }
    PQclear(result);
    return status;
}

spona_status subject_resolve(struct request_context *ctx)
{
    spona_status status = SPONA__V1__STATUS__OK;
    char case_id[UUID_TEXT];
    int excluded = 0;
    switch (ctx->kind->subject) {
    case REQUEST_SUBJECT_NONE:
    case REQUEST_SUBJECT_MUNICIPALITY:
        return SPONA__V1__STATUS__OK;
    case REQUEST_SUBJECT_INTAKE:
        status = access_intake_subject(ctx, ctx->policy, &ctx->subject);
        break;
    case REQUEST_SUBJECT_PERSON:
        status = access_person_subject(ctx, ctx->subject_id, NULL, &ctx->subject);
        break;
    case REQUEST_SUBJECT_CASE:
        status = access_case_subject(ctx, ctx->subject_id, NULL, &ctx->subject);
        break;
    case REQUEST_SUBJECT_REFERRAL:
        status = subject_referral(ctx);
        if (status == SPONA__V1__STATUS__OK && !ctx->has_subject)
            return ctx->subject.caller_excluded ? SPONA__V1__STATUS__NOT_FOUND : status;
        break;
    case REQUEST_SUBJECT_OUTCOME:
        status = subject_case_of(ctx, "subject_outcome_case", case_id, &excluded);
        if (status == SPONA__V1__STATUS__OK)
            status = access_case_subject(ctx, case_id, NULL, &ctx->subject);
        /* the institution that recorded it, off the team (docs/cases.md) */
        if (status == SPONA__V1__STATUS__NOT_FOUND) {
            spona_status recorder =
                access_outcome_recorder_subject(ctx, ctx->subject_id, &ctx->subject);
            if (recorder == SPONA__V1__STATUS__OK)
                ctx->message[0] = '\0';
            if (recorder != SPONA__V1__STATUS__NOT_FOUND)
                status = recorder;
        }
        break;
    }
    if (status == SPONA__V1__STATUS__NOT_FOUND) {
        subject_not_found(ctx);
        /* the refusal's audit names what was asked for, as the caller gave it */
        if (ctx->kind->subject == REQUEST_SUBJECT_CASE)
            request_set_ids(ctx, NULL, ctx->subject_id);
        status = subject_excluded(ctx, status);
    }
    if (status != SPONA__V1__STATUS__OK)
        return status;
    ctx->has_subject = 1;
    ctx->record.emergency = ctx->subject.emergency;
    request_set_ids(ctx, ctx->subject.person_id, ctx->subject.case_id);
    return SPONA__V1__STATUS__OK;
}
