/*
 * Names in the printed documents (doc_labels.h): the protocol's names per language,
 * chosen for the language in use, and Cyrillic made by client/lib/translit.c.
 */
#include "doc_labels.h"

#include <stdio.h>
#include <string.h>

#include "i18n.h"
#include "translit.h"

static char *doc_labels_slot(struct doc_labels *labels)
{
    char *slot = labels->slots[labels->next];
    labels->next = (labels->next + 1) % DOC_LABELS_SLOTS;
    return slot;
}

const char *doc_labels_text(struct doc_labels *labels, const char *text)
{
    if (text == NULL)
        return "";
    if (i18n_current() != I18N_SR_CYRL)
        return text;
    char *slot = doc_labels_slot(labels);
    if (translit_latin_to_cyrillic(text, slot, DOC_LABELS_TEXT) < 0)
        return text;
    return slot;
}

/* The LocalName of names in tag, or NULL. */
static const char *doc_labels_pick(Spona__V1__LocalName *const *names, size_t count,
                                   const char *tag)
{
    for (size_t i = 0; i < count; i++)
        if (names[i]->lang != NULL && strcmp(names[i]->lang, tag) == 0 &&
            names[i]->text != NULL && names[i]->text[0] != '\0')
            return names[i]->text;
    return NULL;
}

/* The name of the language in use from names, else name (Cyrillic made from Latin). */
static const char *doc_labels_choose(struct doc_labels *labels,
                                     Spona__V1__LocalName *const *names, size_t count,
                                     const char *name)
{
    enum i18n_language language = i18n_current();
    const char *own = doc_labels_pick(names, count, i18n_language_tag(language));
    if (own != NULL)
        return own;
    if (language == I18N_SR_CYRL) {
        const char *latin = doc_labels_pick(names, count, "sr-Latn");
        return doc_labels_text(labels, latin != NULL ? latin : name);
    }
    return name;
}

const char *doc_labels_municipality(struct doc_labels *labels)
{
    if (labels->whoami == NULL)
        return "";
    const char *name = labels->whoami->municipality_name;
    if (name == NULL || name[0] == '\0')
        name = labels->whoami->municipality_code;
    return doc_labels_text(labels, name);
}

const char *doc_labels_group(struct doc_labels *labels, const char *code)
{
    const Spona__V1__DirectoryResponse *directory = labels->directory;
    for (size_t i = 0; directory != NULL && i < directory->n_priority_groups; i++) {
        const Spona__V1__PriorityGroupEntry *group = directory->priority_groups[i];
        if (strcmp(group->code, code) == 0)
            return doc_labels_choose(labels, group->names, group->n_names,
                                     group->name[0] != '\0' ? group->name : code);
    }
    return code;
}

const char *doc_labels_institution(struct doc_labels *labels, const char *code)
{
    const Spona__V1__DirectoryResponse *directory = labels->directory;
    for (size_t i = 0; directory != NULL && i < directory->n_institutions; i++) {
        const Spona__V1__DirectoryEntry *entry = directory->institutions[i];
        if (strcmp(entry->institution_code, code) == 0)
            return doc_labels_choose(labels, entry->names, entry->n_names,
                                     entry->name[0] != '\0' ? entry->name : code);
    }
    return code;
}
