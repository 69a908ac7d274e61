/* Trace byte streams (trace_stream.h). Flow: the first input chunk is read,
 * its first bytes choose the codec, then every tstream_read pulls input chunks
 * through the codec (zlib inflate with gzip header detection, liblzma's
 * stream decoder, zstd's streaming decompressor) until it has output. Several
 * concatenated gzip members, xz streams or zstd frames are read as one stream,
 * as gzip -d, xz -d and zstd -d do. */
#include "trace_stream.h"

#include <errno.h>
#include <lzma.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>
#include <zstd.h>

#define TSTREAM_CHUNK (64 * 1024)
/* xz -9e needs 65 MiB to decode; a header asking for more than this is refused (memory
 * stays bounded whatever the input says). zstd's own default limit is a 128 MiB window. */
#define TSTREAM_XZ_MEMLIMIT (256ull << 20)

struct tstream {
    char name[256];
    FILE *file;                       /* NULL for a memory stream */
    const uint8_t *mem;               /* memory stream */
    size_t mem_size, mem_off;
    uint8_t *in;                      /* input chunk (file streams) */
    const uint8_t *in_ptr;            /* unread input */
    size_t in_len;
    bool in_eof;                      /* no more input after in_ptr[0..in_len) */
    tstream_codec_t codec;
    bool started;                     /* the codec has consumed input of the current member */
    bool done;                        /* end of the decompressed stream reached */
    bool failed;
    z_stream z;
    bool z_ready;
    lzma_stream x;
    bool x_ready;
    ZSTD_DStream *zs;
    size_t zs_hint;                   /* last ZSTD_decompressStream result: 0 = at a frame end */
    char err[TSTREAM_ERR_LEN];
};

static void set_err(tstream_t *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void set_err(tstream_t *s, const char *fmt, ...)
{
    int n = snprintf(s->err, sizeof s->err, "%s: ", s->name);
    va_list ap;
    va_start(ap, fmt);
    if (n > 0 && (size_t)n < sizeof s->err)
        vsnprintf(s->err + n, sizeof s->err - (size_t)n, fmt, ap);
    va_end(ap);
    s->failed = true;
}

const char *tstream_codec_name(tstream_codec_t c)
{
    switch (c) {
    case TSTREAM_GZIP: return "gzip";
    case TSTREAM_XZ: return "xz";
    case TSTREAM_ZSTD: return "zstd";
    default: return "plain";
    }
}

/* Refills the input when it is empty. Returns -1 on a read error. */
static int fill_input(tstream_t *s)
{
    if (s->in_len > 0 || s->in_eof)
        return 0;
    if (!s->file) {
        size_t left = s->mem_size - s->mem_off;
        size_t n = left < TSTREAM_CHUNK ? left : TSTREAM_CHUNK;   /* chunks, as from a file */
        s->in_ptr = s->mem + s->mem_off;
        s->in_len = n;
        s->mem_off += n;
        s->in_eof = s->mem_off == s->mem_size;
        return 0;
    }
    size_t n = fread(s->in, 1, TSTREAM_CHUNK, s->file);
    if (n < TSTREAM_CHUNK) {
        if (ferror(s->file)) {
            set_err(s, "read error: %s", strerror(errno));
            return -1;
        }
        s->in_eof = true;
    }
    s->in_ptr = s->in;
    s->in_len = n;
    return 0;
}

static bool has_magic(const tstream_t *s, const uint8_t *magic, size_t len)
{
    return s->in_len >= len && memcmp(s->in_ptr, magic, len) == 0;
}

static int start_codec(tstream_t *s)
{
    static const uint8_t gz[] = { 0x1f, 0x8b }, xz[] = { 0xfd, '7', 'z', 'X', 'Z', 0x00 },
                         zst[] = { 0x28, 0xb5, 0x2f, 0xfd };
    if (fill_input(s) != 0)
        return -1;
    s->codec = has_magic(s, gz, sizeof gz) ? TSTREAM_GZIP
             : has_magic(s, xz, sizeof xz) ? TSTREAM_XZ
             : has_magic(s, zst, sizeof zst) ? TSTREAM_ZSTD : TSTREAM_PLAIN;
    switch (s->codec) {
    case TSTREAM_GZIP:
        if (inflateInit2(&s->z, 15 + 16) != Z_OK) {   /* 16: gzip wrapper only */
            set_err(s, "gzip: cannot initialise zlib");
            return -1;
        }
        s->z_ready = true;
        break;
    case TSTREAM_XZ: {
        lzma_stream init = LZMA_STREAM_INIT;
        s->x = init;
        if (lzma_stream_decoder(&s->x, TSTREAM_XZ_MEMLIMIT, LZMA_CONCATENATED) != LZMA_OK) {
            set_err(s, "xz: cannot initialise liblzma");
            return -1;
        }
        s->x_ready = true;
        break;
    }
    case TSTREAM_ZSTD:
        s->zs = ZSTD_createDStream();
        if (!s->zs || ZSTD_isError(ZSTD_initDStream(s->zs))) {
            set_err(s, "zstd: cannot initialise libzstd");
            return -1;
        }
        break;
    default:
        break;
    }
    return 0;
}

static tstream_t *open_common(tstream_t *s, char *err)
{
    if (start_codec(s) != 0) {
        if (err)
            snprintf(err, TSTREAM_ERR_LEN, "%s", s->err);
        tstream_close(s);
        return NULL;
    }
    return s;
}

tstream_t *tstream_open_file(const char *path, char *err)
{
    tstream_t *s = calloc(1, sizeof *s);
    if (!s || !(s->in = malloc(TSTREAM_CHUNK))) {
        free(s);
        if (err)
            snprintf(err, TSTREAM_ERR_LEN, "%s: out of memory", path);
        return NULL;
    }
    snprintf(s->name, sizeof s->name, "%s", path);
    s->file = fopen(path, "rb");
    if (!s->file) {
        if (err)
            snprintf(err, TSTREAM_ERR_LEN, "%s: cannot open: %s", path, strerror(errno));
        free(s->in);
        free(s);
        return NULL;
    }
    return open_common(s, err);
}

tstream_t *tstream_open_mem(const void *data, size_t size, const char *name, char *err)
{
    tstream_t *s = calloc(1, sizeof *s);
    if (!s) {
        if (err)
            snprintf(err, TSTREAM_ERR_LEN, "%s: out of memory", name);
        return NULL;
    }
    snprintf(s->name, sizeof s->name, "%s", name);
    s->mem = data;
    s->mem_size = size;
    s->in_eof = size == 0;
    return open_common(s, err);
}

void tstream_close(tstream_t *s)
{
    if (!s)
        return;
    if (s->z_ready)
        inflateEnd(&s->z);
    if (s->x_ready)
        lzma_end(&s->x);
    ZSTD_freeDStream(s->zs);
    if (s->file)
        fclose(s->file);
    free(s->in);
    free(s);
}

static ssize_t read_plain(tstream_t *s, uint8_t *buf, size_t n)
{
    if (s->in_len == 0 && s->file && !s->in_eof && n >= TSTREAM_CHUNK) {
        /* large reads go straight to the caller's buffer */
        size_t got = fread(buf, 1, n, s->file);
        if (got < n) {
            if (ferror(s->file)) {
                set_err(s, "read error: %s", strerror(errno));
                return -1;
            }
            s->in_eof = true;
        }
        return (ssize_t)got;
    }
    if (fill_input(s) != 0)
        return -1;
    size_t k = s->in_len < n ? s->in_len : n;
    if (k == 0)
        return 0;
    memcpy(buf, s->in_ptr, k);
    s->in_ptr += k;
    s->in_len -= k;
    return (ssize_t)k;
}

static ssize_t read_gzip(tstream_t *s, uint8_t *buf, size_t n)
{
    s->z.next_out = buf;
    s->z.avail_out = (uInt)(n > UINT32_MAX ? UINT32_MAX : n);
    while (s->z.avail_out == (uInt)n && !s->done) {
        if (fill_input(s) != 0)
            return -1;
        if (s->in_len == 0) {
            if (s->started) {
                set_err(s, "gzip: truncated stream (ends inside a member)");
                return -1;
            }
            s->done = true;   /* ended exactly after a member */
            break;
        }
        s->z.next_in = (Bytef *)s->in_ptr;
        s->z.avail_in = (uInt)s->in_len;
        int rc = inflate(&s->z, Z_NO_FLUSH);
        size_t used = s->in_len - s->z.avail_in;
        s->in_ptr += used;
        s->in_len -= used;
        s->started = true;
        if (rc == Z_STREAM_END) {
            inflateReset(&s->z);   /* another member may follow */
            s->started = false;
        } else if (rc != Z_OK && rc != Z_BUF_ERROR) {
            set_err(s, "gzip: corrupt data (%s)", s->z.msg ? s->z.msg : zError(rc));
            return -1;
        }
    }
    return (ssize_t)(n - s->z.avail_out);
}

static ssize_t read_xz(tstream_t *s, uint8_t *buf, size_t n)
{
    s->x.next_out = buf;
    s->x.avail_out = n;
    while (s->x.avail_out == n && !s->done) {
        if (fill_input(s) != 0)
            return -1;
        s->x.next_in = s->in_ptr;
        s->x.avail_in = s->in_len;
        lzma_ret rc = lzma_code(&s->x, s->in_len == 0 && s->in_eof ? LZMA_FINISH : LZMA_RUN);
        size_t used = s->in_len - s->x.avail_in;
        s->in_ptr += used;
        s->in_len -= used;
        if (rc == LZMA_STREAM_END) {
            s->done = true;
        } else if (rc == LZMA_BUF_ERROR && s->in_eof && s->in_len == 0) {
            set_err(s, "xz: truncated stream");
            return -1;
        } else if (rc != LZMA_OK) {
            set_err(s, "xz: %s", rc == LZMA_FORMAT_ERROR ? "not an xz stream"
                                 : rc == LZMA_DATA_ERROR ? "corrupt data"
                                 : rc == LZMA_MEM_ERROR ? "out of memory"
                                 : rc == LZMA_MEMLIMIT_ERROR ? "needs more than 256 MiB to decode"
                                 : rc == LZMA_OPTIONS_ERROR ? "unsupported options" : "decoder error");
            return -1;
        }
    }
    return (ssize_t)(n - s->x.avail_out);
}

static ssize_t read_zstd(tstream_t *s, uint8_t *buf, size_t n)
{
    ZSTD_outBuffer out = { buf, n, 0 };
    while (out.pos == 0 && !s->done) {
        if (fill_input(s) != 0)
            return -1;
        if (s->in_len == 0 && s->in_eof) {
            if (s->zs_hint != 0) {
                set_err(s, "zstd: truncated stream (ends inside a frame)");
                return -1;
            }
            s->done = true;
            break;
        }
        ZSTD_inBuffer in = { s->in_ptr, s->in_len, 0 };
        size_t rc = ZSTD_decompressStream(s->zs, &out, &in);
        s->in_ptr += in.pos;
        s->in_len -= in.pos;
        if (ZSTD_isError(rc)) {
            set_err(s, "zstd: %s", ZSTD_getErrorName(rc));
            return -1;
        }
        s->zs_hint = rc;
    }
    return (ssize_t)out.pos;
}

ssize_t tstream_read(tstream_t *s, void *buf, size_t n)
{
    if (s->failed)
        return -1;
    if (n == 0 || s->done)
        return 0;
    switch (s->codec) {
    case TSTREAM_GZIP: return read_gzip(s, buf, n);
    case TSTREAM_XZ: return read_xz(s, buf, n);
    case TSTREAM_ZSTD: return read_zstd(s, buf, n);
    default: return read_plain(s, buf, n);
    }
}

const char *tstream_error(const tstream_t *s)
{
    return s->err;
}

const char *tstream_name(const tstream_t *s)
{
    return s->name;
}

tstream_codec_t tstream_codec(const tstream_t *s)
{
    return s->codec;
}
