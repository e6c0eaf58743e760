/* Atomic text output and CSV field writing (see kiln/outfile.h). */
#include "kiln/outfile.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "kiln/util.h"

struct kiln_outfile {
    FILE *f;
    char *path, *tmp; /* tmp is NULL for stdout */
};

kiln_status kiln_outfile_open(const char *path, kiln_outfile **out)
{
    kiln_outfile *o = kiln_alloc(1, sizeof *o);
    if (!o)
        return KILN_ENOMEM;
    if (strcmp(path, "-") == 0) {
        o->f = stdout;
        *out = o;
        return KILN_OK;
    }
    struct stat st;
    if (stat(path, &st) == 0 && S_ISDIR(st.st_mode)) {
        free(o);
        return KILN_ERROR(KILN_EINPUT, "%s: is a directory, not an output file", path);
    }
    size_t n = strlen(path) + 32;
    o->path = kiln_strdup(path);
    o->tmp = kiln_alloc(n, 1);
    if (!o->path || !o->tmp) {
        kiln_outfile_abort(o);
        return KILN_ENOMEM;
    }
    snprintf(o->tmp, n, "%s.tmp-%ld", path, (long)getpid());
    o->f = fopen(o->tmp, "w");
    if (!o->f) {
        kiln_status s = KILN_ERROR(errno == ENOENT || errno == EACCES ? KILN_EINPUT : KILN_EIO, "%s: cannot write: %s",
                                   path, strerror(errno));
        free(o->tmp);
        o->tmp = NULL;
        kiln_outfile_abort(o);
        return s;
    }
    *out = o;
    return KILN_OK;
}

kiln_status kiln_outfile_check(const char *path)
{
    kiln_outfile *o;
    KILN_TRY(kiln_outfile_open(path, &o));
    kiln_outfile_abort(o);
    return KILN_OK;
}

FILE *kiln_outfile_stream(kiln_outfile *o)
{
    return o->f;
}

void kiln_outfile_abort(kiln_outfile *o)
{
    if (!o)
        return;
    if (o->tmp) {
        if (o->f)
            fclose(o->f);
        unlink(o->tmp);
    }
    free(o->path);
    free(o->tmp);
    free(o);
}

kiln_status kiln_outfile_commit(kiln_outfile *o)
{
    if (!o->tmp) {
        int bad = fflush(o->f) != 0;
        kiln_outfile_abort(o);
        return bad ? KILN_ERROR(KILN_EIO, "cannot write to standard output") : KILN_OK;
    }
    int bad = fflush(o->f) != 0 || fsync(fileno(o->f)) != 0 || ferror(o->f);
    bad |= fclose(o->f) != 0;
    o->f = NULL;
    if (bad || rename(o->tmp, o->path) != 0) {
        kiln_status s = KILN_ERROR(KILN_EIO, "%s: cannot write: %s", o->path, strerror(errno));
        kiln_outfile_abort(o);
        return s;
    }
    free(o->tmp);
    o->tmp = NULL;
    kiln_outfile_abort(o);
    return KILN_OK;
}

void kiln_csv_write_text(FILE *out, const char *s)
{
    if (!strpbrk(s, ",\"\r\n;\t|")) {
        fputs(s, out);
        return;
    }
    fputc('"', out);
    for (; *s; s++) {
        if (*s == '"')
            fputc('"', out);
        fputc(*s, out);
    }
    fputc('"', out);
}

void kiln_csv_write_number(FILE *out, double v)
{
    if (isnan(v))
        return;
    char buf[40];
    kiln_number_text(v, buf, sizeof buf);
    fputs(buf, out);
}
