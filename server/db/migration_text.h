/*
 * The text of one migration file, with its shared parts put in. A line
 *     --@include shared/NAME.sql
 * is replaced by that file's text, read from the migrations root (not from the folder of
 * the including file), so the municipal and the regional migrations can hold one copy of
 * what both databases need (sql/shared/). Only one level: a shared file includes nothing.
 */
#ifndef SPONA_MIGRATION_TEXT_H
#define SPONA_MIGRATION_TEXT_H

/* Reads root/path and puts in its includes. Returns a malloc'd text, or NULL with a reason
 * written to stderr: unreadable file, an include outside root/shared/ or of an unreadable
 * file, an include inside a shared file. */
char *migration_text_load(const char *root, const char *path);

#endif
