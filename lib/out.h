/* out.h: output files written atomically (out.c). */
#ifndef XS_OUT_H
#define XS_OUT_H

#include "xsell.h"
#include <stdio.h>

/*
 * NULL or "-" is stdout. Otherwise a temporary file beside path, renamed
 * over it by out_close; an error, any exit before out_close, or a fatal
 * signal (SIGINT, SIGTERM, SIGPIPE, ...) removes the temporary and leaves
 * path as it was. A symbolic link stays: the file it points to is
 * replaced (created when the link dangles). The replaced file keeps its
 * mode (and as root its owner). A device or FIFO is written in place.
 * Exit 2 when path is the same file as an input or another output.
 */
FILE *out_open(const char *path);
/* Flushes and checks; for a file, fsyncs and renames. Exit 4 on error. */
void out_close(FILE *fp);
/* Names a file the tool reads (NULL or "-": stdin, when it is a regular
 * file), for out_open's check; exit 2 when an output is that file.
 * rec_open and csvin_open call it: only a tool that opens a file itself
 * does. */
void out_input(const char *path);
/* Allows output out to replace input in (an update in place:
 * xsell-import --merge rel.tsv -o rel.tsv); any other output still may not. */
void out_inplace(const char *in, const char *out);

#endif
