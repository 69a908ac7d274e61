/* Byte streams for trace readers: a file or a memory buffer, read in fixed-size
 * chunks, decompressed on the fly when the content starts with the magic of
 * gzip (1f 8b), xz (fd 37 7a 58 5a 00) or zstd (28 b5 2f fd); anything else is
 * passed through. The codec is chosen from the content, never from the name.
 *
 * Memory is constant: one input chunk plus the codec's own state, whatever the
 * stream's length. A compressed stream that ends before its end marker is an
 * error ("truncated"), as is corrupt data; messages name the stream. */
#ifndef MMULAB_TRACE_STREAM_H
#define MMULAB_TRACE_STREAM_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define TSTREAM_ERR_LEN 512

typedef enum { TSTREAM_PLAIN, TSTREAM_GZIP, TSTREAM_XZ, TSTREAM_ZSTD } tstream_codec_t;

typedef struct tstream tstream_t;

/* NULL with a message in err (TSTREAM_ERR_LEN bytes) when the file cannot be
 * opened or a decoder cannot be set up. */
tstream_t *tstream_open_file(const char *path, char *err);
/* Reads from data[0..size) (not copied: it must outlive the stream); name is
 * used in messages. */
tstream_t *tstream_open_mem(const void *data, size_t size, const char *name, char *err);
void tstream_close(tstream_t *s);

/* Up to n decompressed bytes into buf: returns the count (> 0), 0 at the end of
 * the stream, -1 on an error (tstream_error). */
ssize_t tstream_read(tstream_t *s, void *buf, size_t n);
const char *tstream_error(const tstream_t *s);
const char *tstream_name(const tstream_t *s);
tstream_codec_t tstream_codec(const tstream_t *s);
const char *tstream_codec_name(tstream_codec_t c);

#endif
