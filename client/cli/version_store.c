/*
 * The version store (see version_store.h). One line per record, "KIND ID VERSION",
 * after a first line "spona-versions user=NAME"; rewritten through a temporary file
 * and rename(), so a crash leaves the old store or the new one. Lines that do not
 * parse are dropped, never trusted.
 */
#include "version_store.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define VERSION_STORE_HEADER "spona-versions user="

struct version_list {
    char user[128];
    struct version_entry *entries;
    size_t count;
};

int version_store_valid(const char *kind, const char *id)
{
    static const char *const kinds[] = {"person", "case", "plan", "referral", NULL};
    int known = 0;
    for (size_t i = 0; kinds[i] != NULL; i++)
        known |= strcmp(kind, kinds[i]) == 0;
    size_t length = strlen(id);
    return known && length > 0 && length < sizeof(((struct version_entry *)0)->id) &&
           strspn(id, "0123456789abcdefABCDEF-") == length;
}

/* "<session file>.versions" into path; 0, or -1 when it does not fit. */
static int version_store_path(const char *session_file, char *path, size_t size)
{
    int written = snprintf(path, size, "%s.versions", session_file);
    return written > 0 && (size_t)written < size ? 0 : -1;
}

/* Reads the store (a missing or unreadable one is empty). 0, or -1 out of memory. */
static int version_list_read(const char *session_file, struct version_list *list)
{
    char path[4096], line[256];
    memset(list, 0, sizeof(*list));
    list->entries = calloc(VERSION_STORE_MAX_ENTRIES, sizeof(*list->entries));
    if (list->entries == NULL)
        return -1;
    if (version_store_path(session_file, path, sizeof(path)) != 0)
        return 0;
    FILE *file = fopen(path, "re");
    if (file == NULL)
        return 0;
    if (fgets(line, sizeof(line), file) != NULL &&
        strncmp(line, VERSION_STORE_HEADER, strlen(VERSION_STORE_HEADER)) == 0) {
        line[strcspn(line, "\r\n")] = '\0';
        if (snprintf(list->user, sizeof(list->user), "%s", line + strlen(VERSION_STORE_HEADER)) >=
            (int)sizeof(list->user))
            list->user[0] = '\0'; /* no user of ours has so long a name: nobody's */
        while (fgets(line, sizeof(line), file) != NULL &&
               list->count < VERSION_STORE_MAX_ENTRIES) {
            struct version_entry *entry = &list->entries[list->count];
            unsigned long long version;
            if (sscanf(line, "%15s %39s %llu", entry->kind, entry->id, &version) == 3 &&
                version_store_valid(entry->kind, entry->id)) {
                entry->version = version;
                list->count++;
            }
        }
    }
    fclose(file);
    return 0;
}

/* Writes the store atomically with mode 0600. */
static void version_list_write(const char *session_file, const struct version_list *list)
{
    char path[4096], temporary[4200];
    if (version_store_path(session_file, path, sizeof(path)) != 0)
        return;
    snprintf(temporary, sizeof(temporary), "%s.XXXXXX", path);
    int fd = mkstemp(temporary);
    if (fd < 0)
        return;
    FILE *file = fdopen(fd, "w");
    if (file == NULL) {
        close(fd);
        unlink(temporary);
        return;
    }
    int failed = fchmod(fd, 0600) != 0;
    fprintf(file, "%s%s\n", VERSION_STORE_HEADER, list->user);
    for (size_t i = 0; i < list->count; i++)
        fprintf(file, "%s %s %llu\n", list->entries[i].kind, list->entries[i].id,
                (unsigned long long)list->entries[i].version);
    failed |= fflush(file) != 0 || fsync(fd) != 0;
    failed |= fclose(file) != 0;
    if (failed || rename(temporary, path) != 0)
        unlink(temporary);
}

int version_store_get(const char *session_file, const char *kind, const char *id,
                      uint64_t *version)
{
    struct version_list list = {0};
    int found = 0;
    if (version_list_read(session_file, &list) == 0)
        for (size_t i = 0; i < list.count && !found; i++)
            if (strcmp(list.entries[i].kind, kind) == 0 &&
                strcasecmp(list.entries[i].id, id) == 0) {
                *version = list.entries[i].version;
                found = 1;
            }
    free(list.entries);
    return found;
}

/* Puts entry last in list (the newest), replacing its earlier line; the oldest go when full. */
static void version_list_set(struct version_list *list, const struct version_entry *entry)
{
    for (size_t i = 0; i < list->count; i++)
        if (strcmp(list->entries[i].kind, entry->kind) == 0 &&
            strcasecmp(list->entries[i].id, entry->id) == 0) {
            memmove(&list->entries[i], &list->entries[i + 1],
                    (list->count - i - 1) * sizeof(*entry));
            list->count--;
            break;
        }
    if (list->count == VERSION_STORE_MAX_ENTRIES) {
        memmove(&list->entries[0], &list->entries[1], (list->count - 1) * sizeof(*entry));
        list->count--;
    }
    list->entries[list->count++] = *entry;
}

void version_store_put(const char *session_file, const struct version_entry *entries,
                       size_t count)
{
    struct version_list list = {0};
    if (count > 0 && version_list_read(session_file, &list) == 0) {
        for (size_t i = 0; i < count; i++)
            if (version_store_valid(entries[i].kind, entries[i].id))
                version_list_set(&list, &entries[i]);
        version_list_write(session_file, &list);
    }
    free(list.entries);
}

void version_store_begin(const char *session_file, const char *username)
{
    struct version_list list = {0};
    if (version_list_read(session_file, &list) == 0 && strcmp(list.user, username) != 0) {
        list.count = 0;
        snprintf(list.user, sizeof(list.user), "%s", username);
        if (strchr(list.user, '\n') == NULL)
            version_list_write(session_file, &list);
    }
    free(list.entries);
}

void version_store_remove(const char *session_file)
{
    char path[4096];
    if (version_store_path(session_file, path, sizeof(path)) == 0)
        (void)unlink(path);
}
