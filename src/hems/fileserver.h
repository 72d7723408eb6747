/* fileserver.h: GET /files/<name>: registered firmware images and other files, with HTTP Range support. */
#ifndef LF_HEMS_FILESERVER_H
#define LF_HEMS_FILESERVER_H

#include <microhttpd.h>

#include "hems/hems.h"

#define HEMS_FILES_PREFIX "/files/"

/* hems_files_serve: queue the answer for url on c (200, 206 for a satisfiable Range, 404, 416). */
enum MHD_Result hems_files_serve(struct hems *h, struct MHD_Connection *c, const char *url);

#endif
