-- region 008: row-level security on the regional sessions, as sql/034 puts it on the
-- municipal ones (docs/region.md). The regional sessions hold only the region's staff,
-- but spona_app could until now read and end every one of them (who logged in from
-- where, when). The session statements are the functions of sql/region/003
-- (sql/shared/session_functions.sql), which set the identity for their own statement;
-- the regional pipeline's session gate calls spona_session_touch like the municipal one.

--@include shared/session_rows.sql
