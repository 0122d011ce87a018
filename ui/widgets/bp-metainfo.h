/* SPDX-License-Identifier: MIT */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* What the About window needs from the application's AppStream metainfo,
 * as merged with its translations: each translatable text in the first of
 * `languages` it is translated to (untranslated otherwise), the newest
 * release and its notes as AdwAboutWindow's release-notes markup. */
typedef struct _BpMetainfo BpMetainfo;

BpMetainfo *bp_metainfo_new_from_data     (const char         *data,
                                           gssize              length,
                                           const char * const *languages,
                                           GError            **error);
/* Reads the copy compiled into the GResource, in the user's languages. */
BpMetainfo *bp_metainfo_new_from_resource (const char         *path,
                                           GError            **error);
void        bp_metainfo_free              (BpMetainfo         *self);

const char *bp_metainfo_get_name           (BpMetainfo *self);
const char *bp_metainfo_get_summary        (BpMetainfo *self);
const char *bp_metainfo_get_developer_name (BpMetainfo *self);
/* `type` is the url's type attribute: homepage, bugtracker, help, … */
const char *bp_metainfo_get_url            (BpMetainfo *self,
                                            const char *type);
const char *bp_metainfo_get_version        (BpMetainfo *self);
const char *bp_metainfo_get_release_date   (BpMetainfo *self);
const char *bp_metainfo_get_release_notes  (BpMetainfo *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (BpMetainfo, bp_metainfo_free)

G_END_DECLS
