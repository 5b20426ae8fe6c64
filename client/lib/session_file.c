/*
 * Session file storage (see session_file.h). Written through a temporary file
 * and rename(), so a crash never leaves half a token behind.
 */
#include "session_file.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "i18n.h"

#define SESSION_FILE_MAX_TOKEN 1024

/* Creates the directories leading to path (mode 0700 for those it creates). */
static int make_parent_directories(const char *path, char *err, size_t err_size)
{
    char *copy = strdup(path);
    if (copy == NULL) {
        snprintf(err, err_size, _("out of memory"));
        return -1;
    }
    int rc = 0;
    for (char *slash = strchr(copy + 1, '/'); slash != NULL; slash = strchr(slash + 1, '/')) {
        *slash = '\0';
        if (mkdir(copy, 0700) != 0 && errno != EEXIST) {
            snprintf(err, err_size, _("cannot create directory %s: %s"), copy, strerror(errno));
            rc = -1;
            break;
        }
        *slash = '/';
    }
    free(copy);
    return rc;
}

int session_file_write(const char *path, const char *token, char *err, size_t err_size)
{
    char *temporary = NULL;
    int fd = -1;
    int rc = -1;
    if (make_parent_directories(path, err, err_size) != 0)
        return -1;
    size_t temporary_size = strlen(path) + sizeof(".XXXXXX");
    temporary = malloc(temporary_size);
    if (temporary == NULL) {
        snprintf(err, err_size, _("out of memory"));
        goto cleanup;
    }
    snprintf(temporary, temporary_size, "%s.XXXXXX", path);
    fd = mkstemp(temporary); /* mode 0600 */
    if (fd < 0) {
        snprintf(err, err_size, _("cannot write session file %s: %s"), path, strerror(errno));
        goto cleanup;
    }
    size_t length = strlen(token);
    if (fchmod(fd, 0600) != 0 || write(fd, token, length) != (ssize_t)length ||
        write(fd, "\n", 1) != 1 || fsync(fd) != 0) {
        snprintf(err, err_size, _("cannot write session file %s: %s"), path, strerror(errno));
        goto cleanup;
    }
    if (close(fd) != 0) {
        fd = -1;
        snprintf(err, err_size, _("cannot write session file %s: %s"), path, strerror(errno));
        goto cleanup;
    }
    fd = -1;
    if (rename(temporary, path) != 0) {
        snprintf(err, err_size, _("cannot write session file %s: %s"), path, strerror(errno));
        goto cleanup;
    }
    rc = 0;

cleanup:
    if (fd >= 0)
        close(fd);
    if (rc != 0 && temporary != NULL)
        unlink(temporary);
    free(temporary);
    return rc;
}

int session_file_read(const char *path, char **token, char *err, size_t err_size)
{
    char buffer[SESSION_FILE_MAX_TOKEN + 2];
    *token = NULL;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        if (errno == ENOENT)
            return 0;
        snprintf(err, err_size, _("cannot read session file %s: %s"), path, strerror(errno));
        return -1;
    }
    ssize_t got = read(fd, buffer, sizeof(buffer) - 1);
    int saved_errno = errno;
    close(fd);
    if (got < 0) {
        snprintf(err, err_size, _("cannot read session file %s: %s"), path, strerror(saved_errno));
        return -1;
    }
    buffer[got] = '\0';
    buffer[strcspn(buffer, "\r\n")] = '\0';
    int found = 0;
    if (buffer[0] != '\0' && strlen(buffer) <= SESSION_FILE_MAX_TOKEN) {
        *token = strdup(buffer);
        if (*token == NULL) {
            snprintf(err, err_size, _("out of memory"));
            found = -1;
        } else {
            found = 1;
        }
    }
    explicit_bzero(buffer, sizeof(buffer));
    return found; /* an empty or oversized file is as good as none */
}

int session_file_remove(const char *path, char *err, size_t err_size)
{
    if (unlink(path) != 0 && errno != ENOENT) {
        snprintf(err, err_size, _("cannot remove session file %s: %s"), path, strerror(errno));
        return -1;
    }
    return 0;
}
