/* The preprocessing pipeline (PyCaret's defaults; see kiln/pipeline.h and
 * docs/preprocessing.md).
 *
 * Fitted on training rows only:
 *   numeric column      x -> x, missing -> mean of the training values
 *   2 levels            level -> 0 for the first sorted level, 1 for the other
 *   3..25 levels        level -> one 0/1 column per level (unseen: all zeros)
 *   more levels         level -> smoothed target mean (n_l * mean_l + m * prior) / (n_l + m),
 *                       m = 10, for regression and binary targets; the level's share
 *                       of the rows for multiclass targets (a class index has no mean)
 *   missing categorical -> the most frequent training level
 * then every encoded column j is scaled as (x - shift_j) / scale_j:
 *   zscore: shift = mean, scale = population standard deviation (1 if zero),
 *   minmax: shift = min, scale = max - min (1 if zero), none: 0 and 1. */
#include "kiln/pipeline.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "kiln/util.h"

#define ONEHOT_MAX_LEVELS 25
#define TARGET_SMOOTHING 10.0
#define CLASSIFY_MAX_DISTINCT 20

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Distinct non-missing values of a numeric column, sorted; returns the count. */
static size_t distinct_numbers(const kiln_column *c, size_t n, double *buf)
{
    size_t m = 0;
    for (size_t i = 0; i < n; i++)
        if (!isnan(c->num[i]))
            buf[m++] = c->num[i];
    qsort(buf, m, sizeof *buf, kiln_cmp_double);
    size_t k = 0;
    for (size_t i = 0; i < m; i++)
        if (k == 0 || buf[i] != buf[k - 1])
            buf[k++] = buf[i];
    return k;
}

/* Whether a numeric column has at most `max` distinct non-missing values;
 * the values seen so far are kept in a fixed array, so nothing can fail. */
static int few_distinct(const kiln_column *c, size_t n, size_t max)
{
    double seen[CLASSIFY_MAX_DISTINCT];
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        double v = c->num[i];
        size_t j = 0;
        while (j < k && seen[j] != v)
            j++;
        if (isnan(v) || j < k)
            continue;
        if (k == max)
            return 0;
        seen[k++] = v;
    }
    return 1;
}

kiln_task kiln_pipeline_infer_task(const kiln_frame *f, int target_col)
{
    const kiln_column *c = &f->cols[target_col];
    if (c->type == KILN_COL_CATEGORICAL)
        return KILN_TASK_CLASSIFY;
    for (size_t i = 0; i < f->nrows; i++)
        if (!isnan(c->num[i]) && c->num[i] != floor(c->num[i]))
            return KILN_TASK_REGRESS;
    return few_distinct(c, f->nrows, CLASSIFY_MAX_DISTINCT) ? KILN_TASK_CLASSIFY : KILN_TASK_REGRESS;
}

void kiln_pipeline_free(kiln_pipeline *p)
{
    if (!p)
        return;
    free(p->target);
    kiln_free_strings(p->classes, p->n_classes);
    for (size_t i = 0; i < p->n_in; i++) {
        free(p->in[i].name);
        kiln_free_strings(p->in[i].levels, p->in[i].nlevels);
        free(p->in[i].level_value);
        free(p->in[i].sketch);
        free(p->in[i].level_count);
    }
    free(p->in);
    kiln_free_strings(p->out_names, p->n_out);
    free(p->shift);
    free(p->scale);
    free(p);
}

/* ---- the target ---------------------------------------------------------- */

/* Class names: the distinct target values, sorted numerically for a numeric
 * column and as strings for a categorical one. */
static kiln_status fit_classes(kiln_pipeline *p, const kiln_frame *f, const kiln_column *c)
{
    size_t n = f->nrows;
    if (c->type == KILN_COL_NUMERIC) {
        double *buf = kiln_alloc(n, sizeof *buf);
        if (!buf)
            return KILN_ENOMEM;
        size_t k = distinct_numbers(c, n, buf);
        p->classes = kiln_alloc(k, sizeof *p->classes);
        if (!p->classes) {
            free(buf);
            return KILN_ENOMEM;
        }
        for (size_t i = 0; i < k; i++, p->n_classes++) {
            char text[40];
            kiln_number_text(buf[i], text, sizeof text);
            if (!(p->classes[i] = kiln_strdup(text))) {
                free(buf);
                return KILN_ENOMEM;
            }
        }
        free(buf);
    } else {
        p->classes = kiln_alloc(c->nlevels, sizeof *p->classes);
        if (!p->classes)
            return KILN_ENOMEM;
        for (size_t i = 0; i < c->nlevels; i++, p->n_classes++)
            if (!(p->classes[i] = kiln_strdup(c->levels[i])))
                return KILN_ENOMEM;
        qsort(p->classes, p->n_classes, sizeof *p->classes, cmp_str);
    }
    if (p->n_classes < 2)
        return KILN_ERROR(KILN_EINPUT, "%s: target '%s' has only one class; classification needs two or more",
                          f->source, p->target);
    return KILN_OK;
}

/* Index of a class name, or -1. Numeric classes are sorted by value (their
 * values in cv), others by text (cv NULL). */
static long class_index(const kiln_pipeline *p, const double *cv, double value, const char *text)
{
    size_t lo = 0, hi = p->n_classes;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        int c = cv ? (value > cv[mid]) - (value < cv[mid]) : strcmp(text, p->classes[mid]);
        if (c == 0)
            return (long)mid;
        if (c < 0)
            hi = mid;
        else
            lo = mid + 1;
    }
    return -1;
}

/* The class names as numbers when every one is a number, else NULL in *out. */
static kiln_status class_values(const kiln_pipeline *p, double **out)
{
    *out = NULL;
    if (p->task != KILN_TASK_CLASSIFY)
        return KILN_OK;
    double *v = kiln_alloc(p->n_classes, sizeof *v);
    if (!v)
        return KILN_ENOMEM;
    for (size_t i = 0; i < p->n_classes; i++) {
        char *end;
        v[i] = strtod(p->classes[i], &end);
        if (*end != '\0' || end == p->classes[i]) {
            free(v);
            return KILN_OK;
        }
    }
    *out = v;
    return KILN_OK;
}

/* The encoded target of row i: class index or value. Missing is an error. */
static kiln_status target_value(const kiln_pipeline *p, const kiln_frame *f, int col, const double *cv, size_t i,
                                double *y)
{
    const kiln_column *c = &f->cols[col];
    int missing = c->type == KILN_COL_NUMERIC ? isnan(c->num[i]) : c->code[i] < 0;
    if (missing)
        return KILN_ERROR(KILN_EINPUT, "%s:%zu:%d: missing target value", f->source, f->line[i], col + 1);
    if (p->task == KILN_TASK_REGRESS) {
        if (c->type != KILN_COL_NUMERIC)
            return KILN_ERROR(KILN_EINPUT, "%s:%zu:%d: target '%s' is not numeric ('%s'); use --task classification",
                              f->source, f->line[i], col + 1, p->target, c->levels[c->code[i]]);
        *y = c->num[i];
        return KILN_OK;
    }
    /* A number's text is only needed when the classes are not all numbers
     * (cv NULL) or for the error message, so it is not printed for every row. */
    char text[40];
    const char *label = text;
    double value = 0;
    if (c->type == KILN_COL_NUMERIC) {
        value = c->num[i];
        if (!cv)
            kiln_number_text(value, text, sizeof text);
    } else {
        label = c->levels[c->code[i]];
        value = strtod(label, NULL);
    }
    long k = class_index(p, cv, value, label);
    if (k < 0 && c->type == KILN_COL_NUMERIC)
        kiln_number_text(value, text, sizeof text);
    if (k < 0)
        return KILN_ERROR(KILN_EINPUT, "%s:%zu:%d: class '%s' was not seen in training", f->source, f->line[i],
                          col + 1, label);
    *y = (double)k;
    return KILN_OK;
}

/* The encoded target of every row. */
static kiln_status encode_target(const kiln_pipeline *p, const kiln_frame *f, int col, double *y)
{
    double *cv;
    KILN_TRY(class_values(p, &cv));
    kiln_status s = KILN_OK;
    for (size_t i = 0; s == KILN_OK && i < f->nrows; i++)
        s = target_value(p, f, col, cv, i, &y[i]);
    free(cv);
    return s;
}

/* ---- feature columns ----------------------------------------------------- */

/* Level index of each frame code in the column's sorted training levels (-1 unseen). */
static kiln_status map_levels(const kiln_pipe_col *pc, const kiln_column *c, long **out)
{
    size_t nl = c->type == KILN_COL_CATEGORICAL ? c->nlevels : 0;
    long *map = kiln_alloc(nl ? nl : 1, sizeof *map);
    if (!map)
        return KILN_ENOMEM;
    for (size_t l = 0; l < nl; l++) {
        char **hit = bsearch(&c->levels[l], pc->levels, pc->nlevels, sizeof *pc->levels, cmp_str);
        map[l] = hit ? (long)(hit - pc->levels) : -1;
    }
    *out = map;
    return KILN_OK;
}

/* Level index of row i (-1 unseen or missing). */
static long row_level(const kiln_pipe_col *pc, const kiln_column *c, const long *map, size_t i)
{
    if (c->type == KILN_COL_CATEGORICAL)
        return c->code[i] < 0 ? -1 : map[c->code[i]];
    if (isnan(c->num[i]))
        return -1;
    char text[40];
    kiln_number_text(c->num[i], text, sizeof text);
    const char *key = text;
    char **hit = bsearch(&key, pc->levels, pc->nlevels, sizeof *pc->levels, cmp_str);
    return hit ? (long)(hit - pc->levels) : -1;
}

static int row_missing(const kiln_column *c, size_t i)
{
    return c->type == KILN_COL_CATEGORICAL ? c->code[i] < 0 : isnan(c->num[i]);
}

/* The sorted distinct non-missing level texts of a column (numbers as text). */
static kiln_status column_levels(const kiln_column *c, size_t n, char ***levels, size_t *nlevels)
{
    size_t cap = c->type == KILN_COL_CATEGORICAL ? c->nlevels : n;
    char **lv = kiln_alloc(cap ? cap : 1, sizeof *lv);
    if (!lv)
        return KILN_ENOMEM;
    size_t k = 0;
    if (c->type == KILN_COL_CATEGORICAL) {
        for (; k < c->nlevels; k++)
            if (!(lv[k] = kiln_strdup(c->levels[k])))
                goto oom;
    } else {
        double *buf = kiln_alloc(n, sizeof *buf);
        if (!buf)
            goto oom;
        size_t m = distinct_numbers(c, n, buf);
        for (; k < m; k++) {
            char text[40];
            kiln_number_text(buf[k], text, sizeof text);
            if (!(lv[k] = kiln_strdup(text))) {
                free(buf);
                goto oom;
            }
        }
        free(buf);
    }
    qsort(lv, k, sizeof *lv, cmp_str);
    *levels = lv;
    *nlevels = k;
    return KILN_OK;
oom:
    kiln_free_strings(lv, k);
    return KILN_ENOMEM;
}

/* Fit one categorical column: levels, mode, and for target encoding the level values. */
static kiln_status fit_categorical(kiln_pipe_col *pc, const kiln_column *c, size_t n, const double *y,
                                   const kiln_pipeline *p)
{
    KILN_TRY(column_levels(c, n, &pc->levels, &pc->nlevels));
    pc->enc = pc->nlevels <= 2 ? KILN_ENC_BINARY : pc->nlevels <= ONEHOT_MAX_LEVELS ? KILN_ENC_ONEHOT : KILN_ENC_TARGET;
    long *map;
    KILN_TRY(map_levels(pc, c, &map));
    double *count = kiln_alloc(pc->nlevels ? pc->nlevels : 1, sizeof *count);
    double *sum = kiln_alloc(pc->nlevels ? pc->nlevels : 1, sizeof *sum);
    if (!count || !sum) {
        free(map);
        free(count);
        free(sum);
        return KILN_ENOMEM;
    }
    double total = 0, ysum = 0;
    for (size_t i = 0; i < n; i++) {
        long l = row_level(pc, c, map, i);
        if (l < 0)
            continue;
        count[l] += 1;
        sum[l] += y[i];
        total += 1;
        ysum += y[i];
    }
    size_t mode = 0;
    for (size_t l = 1; l < pc->nlevels; l++)
        if (count[l] > count[mode])
            mode = l;
    pc->impute = (double)mode;
    pc->n_out = pc->enc == KILN_ENC_ONEHOT ? pc->nlevels : 1;
    kiln_status s = KILN_OK;
    if (pc->enc == KILN_ENC_TARGET) {
        int share = p->task == KILN_TASK_CLASSIFY && p->n_classes > 2;
        pc->prior = share ? 0.0 : (total > 0 ? ysum / total : 0.0);
        pc->level_value = kiln_alloc(pc->nlevels, sizeof *pc->level_value);
        if (!pc->level_value)
            s = KILN_ENOMEM;
        for (size_t l = 0; s == KILN_OK && l < pc->nlevels; l++)
            pc->level_value[l] = share ? count[l] / total
                                       : (sum[l] + TARGET_SMOOTHING * pc->prior) / (count[l] + TARGET_SMOOTHING);
    }
    free(map);
    free(count);
    free(sum);
    return s;
}

static kiln_status fit_numeric(kiln_pipe_col *pc, const kiln_column *c, size_t n)
{
    double sum = 0;
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
        if (!isnan(c->num[i])) {
            sum += c->num[i];
            k++;
        }
    pc->enc = KILN_ENC_NUMERIC;
    pc->impute = k ? sum / (double)k : 0.0;
    pc->n_out = 1;
    return KILN_OK;
}

kiln_status kiln_pipeline_level_counts(const kiln_pipe_col *pc, const kiln_column *c, size_t n, double *count,
                                       double *missing)
{
    long *map;
    KILN_TRY(map_levels(pc, c, &map));
    for (size_t l = 0; l <= pc->nlevels; l++)
        count[l] = 0;
    *missing = 0;
    for (size_t i = 0; i < n; i++) {
        long l = row_level(pc, c, map, i);
        if (row_missing(c, i))
            *missing += 1;
        else
            count[l < 0 ? pc->nlevels : (size_t)l] += 1;
    }
    free(map);
    return KILN_OK;
}

/* The drift summary of one training column (see kiln_pipe_col): a numeric
 * column's sorted values, thinned to KILN_SKETCH_SIZE order statistics; a
 * categorical column's level counts. `sorted` holds room for n keys, reused
 * from column to column (a fresh buffer per column cost a page fault per 4 KB). */
static kiln_status fit_summary(kiln_pipe_col *pc, const kiln_column *c, size_t n, kiln_radix *sorted)
{
    double missing;
    free(pc->sketch);
    free(pc->level_count);
    pc->sketch = pc->level_count = NULL;
    pc->n_sketch = 0;
    if (pc->enc != KILN_ENC_NUMERIC) {
        if (!(pc->level_count = kiln_alloc(pc->nlevels + 1, sizeof *pc->level_count)))
            return KILN_ENOMEM;
        KILN_TRY(kiln_pipeline_level_counts(pc, c, n, pc->level_count, &missing));
        pc->n_train = (double)n - missing;
        return KILN_OK;
    }
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
        if (!isnan(c->num[i]))
            sorted->key[k++] = kiln_radix_key(c->num[i]);
    kiln_radix_sort(sorted, k);
    pc->n_train = (double)k;
    pc->n_sketch = k < KILN_SKETCH_SIZE ? k : KILN_SKETCH_SIZE;
    pc->sketch = kiln_alloc(pc->n_sketch ? pc->n_sketch : 1, sizeof *pc->sketch);
    for (size_t i = 0; pc->sketch && i < pc->n_sketch; i++)
        pc->sketch[i] = kiln_radix_value(sorted->key[(size_t)(((double)i + 0.5) * (double)k / (double)pc->n_sketch)]);
    return pc->sketch ? KILN_OK : KILN_ENOMEM;
}

/* The summary is computed in `chunks` runs of consecutive columns, one sort
 * buffer each; every column's summary depends only on its own values. Below
 * SUMMARY_PARALLEL_VALUES values, starting threads costs more than it saves. */
#define SUMMARY_PARALLEL_VALUES ((size_t)1 << 20)
typedef struct summary_job {
    kiln_pipeline *p;
    const kiln_frame *f;
    const int *col; /* frame column of each input column */
    size_t chunks;
} summary_job;

static kiln_status summarize_chunk(void *arg, size_t chunk)
{
    summary_job *job = arg;
    size_t n_in = job->p->n_in, lo = chunk * n_in / job->chunks, hi = (chunk + 1) * n_in / job->chunks;
    kiln_radix sorted;
    KILN_TRY(kiln_radix_init(&sorted, job->f->nrows, 0));
    kiln_status s = KILN_OK;
    for (size_t i = lo; s == KILN_OK && i < hi; i++)
        s = fit_summary(&job->p->in[i], &job->f->cols[job->col[i]], job->f->nrows, &sorted);
    kiln_radix_free(&sorted);
    return s;
}

kiln_status kiln_pipeline_summarize(kiln_pipeline *p, const kiln_frame *f, int threads)
{
    int *col = kiln_alloc(p->n_in ? p->n_in : 1, sizeof *col);
    if (!col)
        return KILN_ENOMEM;
    kiln_status s = KILN_OK;
    for (size_t i = 0; s == KILN_OK && i < p->n_in; i++) {
        const kiln_pipe_col *pc = &p->in[i];
        col[i] = kiln_frame_find(f, pc->name);
        if (col[i] < 0)
            s = KILN_ERROR(KILN_EINPUT, "%s: no column '%s', which the model needs", f->source, pc->name);
        else if (pc->enc == KILN_ENC_NUMERIC && f->cols[col[i]].type != KILN_COL_NUMERIC)
            s = KILN_ERROR(KILN_EINPUT, "%s: column '%s' holds text; the model saw numbers there", f->source,
                           pc->name);
    }
    if (f->nrows * p->n_in < SUMMARY_PARALLEL_VALUES)
        threads = 1;
    size_t chunks = threads < 1 ? 1 : (size_t)threads < p->n_in ? (size_t)threads : p->n_in;
    summary_job job = {p, f, col, chunks};
    if (s == KILN_OK)
        s = kiln_parallel_for(chunks, threads, summarize_chunk, &job);
    free(col);
    if (s == KILN_OK)
        p->has_summary = 1;
    return s;
}

static kiln_status make_out_names(kiln_pipeline *p)
{
    p->out_names = kiln_alloc(p->n_out, sizeof *p->out_names);
    if (!p->out_names)
        return KILN_ENOMEM;
    for (size_t i = 0; i < p->n_in; i++) {
        const kiln_pipe_col *pc = &p->in[i];
        for (size_t k = 0; k < pc->n_out; k++) {
            char buf[512];
            if (pc->enc == KILN_ENC_ONEHOT)
                snprintf(buf, sizeof buf, "%s_%s", pc->name, pc->levels[k]);
            else
                snprintf(buf, sizeof buf, "%s", pc->name);
            if (!(p->out_names[pc->first_out + k] = kiln_strdup(buf)))
                return KILN_ENOMEM;
        }
    }
    return KILN_OK;
}

/* How one input column is read from a frame: its column, and for categorical
 * encodings the training level of each frame code; for a numeric encoding of a
 * text column the number each level reads as. */
typedef struct col_codec {
    const kiln_pipe_col *pc;
    const kiln_column *c;
    long *map;
    double *val;
} col_codec;

static kiln_status codec_open(const kiln_pipe_col *pc, const kiln_frame *f, col_codec *cc)
{
    int col = kiln_frame_find(f, pc->name);
    if (col < 0)
        return KILN_ERROR(KILN_EINPUT, "%s: no column '%s', which the model needs", f->source, pc->name);
    const kiln_column *c = &f->cols[col];
    *cc = (col_codec){.pc = pc, .c = c};
    if (pc->enc != KILN_ENC_NUMERIC)
        return map_levels(pc, c, &cc->map);
    if (c->type != KILN_COL_CATEGORICAL)
        return KILN_OK;
    /* Text where the model wants numbers: read each level as a number. */
    if (!(cc->val = kiln_alloc(c->nlevels ? c->nlevels : 1, sizeof *cc->val)))
        return KILN_ENOMEM;
    for (size_t l = 0; l < c->nlevels; l++) {
        char *end;
        cc->val[l] = strtod(c->levels[l], &end);
        if (end == c->levels[l] || *end != '\0' || !isfinite(cc->val[l])) {
            size_t i = 0;
            while (c->code[i] != (int32_t)l)
                i++;
            return KILN_ERROR(KILN_EINPUT, "%s:%zu:%d: text '%.40s' in numeric column '%s'", f->source, f->line[i],
                              col + 1, c->levels[l], pc->name);
        }
    }
    return KILN_OK;
}

static void codec_close(col_codec *cc)
{
    free(cc->map);
    free(cc->val);
}

/* Encode rows [r0, r1) of one column into X (before scaling). */
static void codec_encode(const col_codec *cc, size_t r0, size_t r1, kiln_mat *X)
{
    const kiln_pipe_col *pc = cc->pc;
    const kiln_column *c = cc->c;
    for (size_t i = r0; i < r1; i++) {
        double *out = &KILN_MAT_AT(X, i, pc->first_out);
        if (pc->enc == KILN_ENC_NUMERIC) {
            double v = cc->val ? (c->code[i] < 0 ? NAN : cc->val[c->code[i]]) : c->num[i];
            out[0] = isnan(v) ? pc->impute : v;
            continue;
        }
        long l = row_missing(c, i) ? (long)pc->impute : row_level(pc, c, cc->map, i);
        switch (pc->enc) {
        case KILN_ENC_BINARY:
            out[0] = l == 1 ? 1.0 : 0.0;
            break;
        case KILN_ENC_ONEHOT:
            for (size_t k = 0; k < pc->n_out; k++)
                out[k] = (long)k == l ? 1.0 : 0.0;
            break;
        case KILN_ENC_TARGET:
            out[0] = l < 0 ? pc->prior : pc->level_value[l];
            break;
        case KILN_ENC_NUMERIC:
            break;
        }
    }
}

/* The scaling statistics are gathered row by row, a block of rows at a time
 * while the block is still in cache from its encoding (a column at a time
 * would stride through the whole matrix once per column). Every column sees
 * the same operations in the same row order as a column-wise loop would do:
 *   zscore: the running mean m += (x_i - m) / (i + 1) in shift, then the sum of
 *           (x_i - m)^2 in scale, sd = sqrt(sum / n);
 *   minmax: the smallest value in shift, the largest in scale. */
static void scaling_start(kiln_pipeline *p)
{
    int minmax = p->normalize == KILN_NORMALIZE_MINMAX;
    for (size_t j = 0; j < p->n_out; j++) {
        p->shift[j] = minmax ? INFINITY : 0.0;
        p->scale[j] = minmax ? -INFINITY : p->normalize == KILN_NORMALIZE_NONE ? 1.0 : 0.0;
    }
}

/* Rows [r0, r1) of X into the first statistic of every column. */
static void scaling_gather(kiln_pipeline *p, const kiln_mat *X, size_t r0, size_t r1)
{
    double *shift = p->shift, *scale = p->scale;
    for (size_t i = r0; i < r1; i++) {
        const double *row = KILN_MAT_ROW(X, i);
        if (p->normalize == KILN_NORMALIZE_ZSCORE)
            for (size_t j = 0; j < p->n_out; j++)
                shift[j] += (row[j] - shift[j]) / (double)(i + 1);
        else if (p->normalize == KILN_NORMALIZE_MINMAX)
            for (size_t j = 0; j < p->n_out; j++) {
                shift[j] = row[j] < shift[j] ? row[j] : shift[j];
                scale[j] = row[j] > scale[j] ? row[j] : scale[j];
            }
    }
}

/* shift and scale from the gathered statistics (zscore: one more pass for the
 * variance); none, or no rows: 0 and 1. */
static void scaling_finish(kiln_pipeline *p, const kiln_mat *X)
{
    size_t d = p->n_out;
    if (p->normalize == KILN_NORMALIZE_ZSCORE)
        for (size_t i = 0; i < X->rows; i++) {
            const double *row = KILN_MAT_ROW(X, i);
            for (size_t j = 0; j < d; j++) {
                double dev = row[j] - p->shift[j];
                p->scale[j] += dev * dev;
            }
        }
    for (size_t j = 0; j < d; j++) {
        if (p->normalize == KILN_NORMALIZE_NONE || X->rows == 0) {
            p->shift[j] = 0.0;
            p->scale[j] = 1.0;
        } else if (p->normalize == KILN_NORMALIZE_MINMAX) {
            p->scale[j] = p->scale[j] > p->shift[j] ? p->scale[j] - p->shift[j] : 1.0;
        } else {
            double sd = sqrt(p->scale[j] / (double)X->rows);
            p->scale[j] = sd > 0 ? sd : 1.0;
        }
    }
}

static void apply_scaling(const kiln_pipeline *p, kiln_mat *X)
{
    if (p->normalize == KILN_NORMALIZE_NONE)
        return;
    for (size_t i = 0; i < X->rows; i++) {
        double *row = KILN_MAT_ROW(X, i);
        for (size_t j = 0; j < p->n_out; j++)
            row[j] = (row[j] - p->shift[j]) / p->scale[j];
    }
}

/* Values encoded together: every column of a block of rows is written while
 * the block is in cache (a column at a time over all rows would stride
 * through the whole matrix once per column); 256 KB of doubles. */
#define ENCODE_BLOCK_VALUES 32768

/* Encode every input column of f into a new matrix (unscaled). gather (may be
 * NULL): the pipeline being fitted, whose scaling statistics are gathered from
 * each block as it is encoded. */
static kiln_status encode_all(const kiln_pipeline *p, const kiln_frame *f, kiln_pipeline *gather, kiln_mat **out)
{
    col_codec *cc = kiln_alloc(p->n_in ? p->n_in : 1, sizeof *cc);
    kiln_mat *X = kiln_mat_new(f->nrows, p->n_out);
    kiln_status s = cc && X ? KILN_OK : KILN_ENOMEM;
    size_t opened = 0;
    for (; s == KILN_OK && opened < p->n_in; opened++)
        s = codec_open(&p->in[opened], f, &cc[opened]);
    size_t block = p->n_out && p->n_out < ENCODE_BLOCK_VALUES ? ENCODE_BLOCK_VALUES / p->n_out : 1;
    for (size_t r0 = 0; s == KILN_OK && r0 < f->nrows; r0 += block) {
        size_t r1 = r0 + block < f->nrows ? r0 + block : f->nrows;
        for (size_t i = 0; i < p->n_in; i++)
            codec_encode(&cc[i], r0, r1, X);
        if (gather)
            scaling_gather(gather, X, r0, r1);
    }
    for (size_t i = 0; cc && i < opened; i++)
        codec_close(&cc[i]);
    free(cc);
    if (s != KILN_OK) {
        kiln_mat_free(X);
        return s;
    }
    *out = X;
    return KILN_OK;
}

static kiln_status pipeline_fit(kiln_pipeline *p, const kiln_frame *f, int tcol, kiln_mat **X, double **y)
{
    if (p->task == KILN_TASK_CLASSIFY)
        KILN_TRY(fit_classes(p, f, &f->cols[tcol]));
    *y = kiln_alloc(f->nrows, sizeof **y);
    if (!*y)
        return KILN_ENOMEM;
    KILN_TRY(encode_target(p, f, tcol, *y));
    p->in = kiln_alloc(f->ncols, sizeof *p->in);
    if (!p->in)
        return KILN_ENOMEM;
    for (size_t j = 0; j < f->ncols; j++) {
        if ((int)j == tcol)
            continue;
        kiln_pipe_col *pc = &p->in[p->n_in++];
        const kiln_column *c = &f->cols[j];
        if (!(pc->name = kiln_strdup(c->name)))
            return KILN_ENOMEM;
        pc->first_out = p->n_out;
        KILN_TRY(c->type == KILN_COL_NUMERIC ? fit_numeric(pc, c, f->nrows) : fit_categorical(pc, c, f->nrows, *y, p));
        p->n_out += pc->n_out;
    }
    if (p->n_out == 0)
        return KILN_ERROR(KILN_EINPUT, "%s: no feature columns besides the target '%s'", f->source, p->target);
    KILN_TRY(make_out_names(p));
    p->shift = kiln_alloc(p->n_out, sizeof *p->shift);
    p->scale = kiln_alloc(p->n_out, sizeof *p->scale);
    if (!p->shift || !p->scale)
        return KILN_ENOMEM;
    scaling_start(p);
    KILN_TRY(encode_all(p, f, p, X));
    scaling_finish(p, *X);
    return KILN_OK;
}

kiln_status kiln_pipeline_fit_transform(const kiln_frame *f, const char *target, kiln_task task,
                                        kiln_normalize normalize, kiln_pipeline **out, kiln_mat **X, double **y)
{
    int tcol = kiln_frame_find(f, target);
    if (tcol < 0)
        return KILN_ERROR(KILN_EINPUT, "%s: no target column '%s'", f->source, target);
    kiln_pipeline *p = kiln_alloc(1, sizeof *p);
    if (!p)
        return KILN_ENOMEM;
    p->task = task ? task : kiln_pipeline_infer_task(f, tcol);
    p->normalize = normalize == KILN_NORMALIZE_AUTO ? KILN_NORMALIZE_NONE : normalize;
    kiln_mat *m = NULL;
    double *t = NULL;
    kiln_status s = (p->target = kiln_strdup(target)) ? pipeline_fit(p, f, tcol, &m, &t) : KILN_ENOMEM;
    if (s != KILN_OK) {
        kiln_mat_free(m);
        free(t);
        kiln_pipeline_free(p);
        return s;
    }
    apply_scaling(p, m);
    *out = p;
    *X = m;
    *y = t;
    return KILN_OK;
}

kiln_status kiln_pipeline_fit(const kiln_frame *f, const char *target, kiln_task task, kiln_normalize normalize,
                              kiln_pipeline **out)
{
    kiln_mat *X;
    double *y;
    KILN_TRY(kiln_pipeline_fit_transform(f, target, task, normalize, out, &X, &y));
    kiln_mat_free(X);
    free(y);
    return KILN_OK;
}

kiln_status kiln_pipeline_labels(const kiln_frame *f, const char *target, kiln_task task, kiln_task *task_out,
                                 size_t *n_classes, double **y)
{
    int tcol = kiln_frame_find(f, target);
    if (tcol < 0)
        return KILN_ERROR(KILN_EINPUT, "%s: no target column '%s'", f->source, target);
    kiln_pipeline p = {.target = (char *)target, .task = task ? task : kiln_pipeline_infer_task(f, tcol)};
    double *t = kiln_alloc(f->nrows ? f->nrows : 1, sizeof *t);
    kiln_status s = t ? KILN_OK : KILN_ENOMEM;
    if (s == KILN_OK && p.task == KILN_TASK_CLASSIFY)
        s = fit_classes(&p, f, &f->cols[tcol]);
    if (s == KILN_OK)
        s = encode_target(&p, f, tcol, t);
    kiln_free_strings(p.classes, p.n_classes);
    if (s != KILN_OK) {
        free(t);
        return s;
    }
    *task_out = p.task;
    *n_classes = p.n_classes;
    *y = t;
    return KILN_OK;
}

kiln_status kiln_pipeline_transform(const kiln_pipeline *p, const kiln_frame *f, kiln_mat **X, double **y)
{
    kiln_mat *m;
    KILN_TRY(encode_all(p, f, NULL, &m));
    apply_scaling(p, m);
    if (y) {
        int tcol;
        tcol = kiln_frame_find(f, p->target);
        kiln_status s = tcol < 0 ? KILN_ERROR(KILN_EINPUT, "%s: no column '%s', which the model needs", f->source,
                                              p->target)
                                 : KILN_OK;
        double *t = s == KILN_OK ? kiln_alloc(f->nrows, sizeof *t) : NULL;
        if (s == KILN_OK && !t)
            s = KILN_ENOMEM;
        if (s == KILN_OK)
            s = encode_target(p, f, tcol, t);
        if (s != KILN_OK) {
            free(t);
            kiln_mat_free(m);
            return s;
        }
        *y = t;
    }
    *X = m;
    return KILN_OK;
}

double kiln_pipeline_unscale(const void *pipeline, size_t j, double value)
{
    const kiln_pipeline *p = pipeline;
    return value * p->scale[j] + p->shift[j];
}

/* ---- model file section "PIPE" -------------------------------------------- */

static kiln_status save_strings(kiln_writer *w, char *const *s, size_t n)
{
    KILN_TRY(kiln_w_u64(w, n));
    for (size_t i = 0; i < n; i++)
        KILN_TRY(kiln_w_str(w, s[i]));
    return KILN_OK;
}

static kiln_status load_strings(kiln_reader *r, char ***s, size_t *n)
{
    size_t k;
    KILN_TRY(kiln_r_count(r, (size_t)1 << 28, &k));
    *s = kiln_alloc(k, sizeof **s);
    if (!*s)
        return KILN_ENOMEM;
    for (*n = 0; *n < k; (*n)++)
        KILN_TRY(kiln_r_str(r, &(*s)[*n]));
    return KILN_OK;
}

/* Section "SUMM": per input column, n_train, then the sketch (numeric: u64
 * count + values) or the level counts (nlevels + 1 values, the last unseen). */
static kiln_status save_summary(const kiln_pipeline *p, kiln_writer *w)
{
    KILN_TRY(kiln_writer_section(w, "SUMM"));
    for (size_t i = 0; i < p->n_in; i++) {
        const kiln_pipe_col *pc = &p->in[i];
        KILN_TRY(kiln_w_f64(w, pc->n_train));
        if (pc->enc == KILN_ENC_NUMERIC) {
            KILN_TRY(kiln_w_u64(w, pc->n_sketch));
            KILN_TRY(kiln_w_f64s(w, pc->sketch, pc->n_sketch));
        } else {
            KILN_TRY(kiln_w_f64s(w, pc->level_count, pc->nlevels + 1));
        }
    }
    return KILN_OK;
}

static kiln_status load_summary(kiln_pipeline *p, kiln_reader *r)
{
    KILN_TRY(kiln_reader_section(r, "SUMM"));
    for (size_t i = 0; i < p->n_in; i++) {
        kiln_pipe_col *pc = &p->in[i];
        KILN_TRY(kiln_r_f64(r, &pc->n_train));
        if (pc->enc == KILN_ENC_NUMERIC) {
            KILN_TRY(kiln_r_count(r, KILN_SKETCH_SIZE, &pc->n_sketch));
            if (!(pc->sketch = kiln_alloc(pc->n_sketch ? pc->n_sketch : 1, sizeof *pc->sketch)))
                return KILN_ENOMEM;
            KILN_TRY(kiln_r_f64s(r, pc->sketch, pc->n_sketch));
        } else {
            if (!(pc->level_count = kiln_alloc(pc->nlevels + 1, sizeof *pc->level_count)))
                return KILN_ENOMEM;
            KILN_TRY(kiln_r_f64s(r, pc->level_count, pc->nlevels + 1));
        }
        if (!(pc->n_train >= 0 && pc->n_train >= (double)pc->n_sketch))
            return KILN_ERROR(KILN_EINPUT, "model file: bad training summary for column '%s'", pc->name);
    }
    p->has_summary = 1;
    return KILN_OK;
}

kiln_status kiln_pipeline_save(const kiln_pipeline *p, kiln_writer *w)
{
    KILN_TRY(kiln_writer_section(w, "PIPE"));
    KILN_TRY(kiln_w_str(w, p->target));
    KILN_TRY(kiln_w_u32(w, (uint32_t)p->task));
    KILN_TRY(save_strings(w, p->classes, p->n_classes));
    KILN_TRY(kiln_w_u32(w, (uint32_t)p->normalize));
    KILN_TRY(kiln_w_u64(w, p->n_in));
    for (size_t i = 0; i < p->n_in; i++) {
        const kiln_pipe_col *pc = &p->in[i];
        KILN_TRY(kiln_w_str(w, pc->name));
        KILN_TRY(kiln_w_u32(w, (uint32_t)pc->enc));
        KILN_TRY(kiln_w_f64(w, pc->impute));
        KILN_TRY(save_strings(w, pc->levels, pc->nlevels));
        if (pc->enc == KILN_ENC_TARGET) {
            KILN_TRY(kiln_w_f64(w, pc->prior));
            KILN_TRY(kiln_w_f64s(w, pc->level_value, pc->nlevels));
        }
    }
    KILN_TRY(kiln_w_f64s(w, p->shift, p->n_out));
    KILN_TRY(kiln_w_f64s(w, p->scale, p->n_out));
    return p->has_summary ? save_summary(p, w) : KILN_OK;
}

static kiln_status load_column(kiln_reader *r, kiln_pipe_col *pc, size_t first_out)
{
    uint32_t enc;
    KILN_TRY(kiln_r_str(r, &pc->name));
    KILN_TRY(kiln_r_u32(r, &enc));
    KILN_TRY(kiln_r_f64(r, &pc->impute));
    KILN_TRY(load_strings(r, &pc->levels, &pc->nlevels));
    if (enc > KILN_ENC_TARGET)
        return KILN_ERROR(KILN_EINPUT, "model file: unknown encoding %u for column '%s'", enc, pc->name);
    pc->enc = (kiln_encoding)enc;
    if (pc->enc != KILN_ENC_NUMERIC && (pc->impute < 0 || pc->impute >= (double)(pc->nlevels ? pc->nlevels : 1)))
        return KILN_ERROR(KILN_EINPUT, "model file: bad imputed level for column '%s'", pc->name);
    if (pc->enc == KILN_ENC_TARGET) {
        KILN_TRY(kiln_r_f64(r, &pc->prior));
        if (!(pc->level_value = kiln_alloc(pc->nlevels, sizeof *pc->level_value)))
            return KILN_ENOMEM;
        KILN_TRY(kiln_r_f64s(r, pc->level_value, pc->nlevels));
    }
    pc->first_out = first_out;
    pc->n_out = pc->enc == KILN_ENC_ONEHOT ? pc->nlevels : 1;
    return KILN_OK;
}

static kiln_status pipeline_load(kiln_pipeline *p, kiln_reader *r)
{
    uint32_t task, norm;
    size_t n_in;
    KILN_TRY(kiln_reader_section(r, "PIPE"));
    KILN_TRY(kiln_r_str(r, &p->target));
    KILN_TRY(kiln_r_u32(r, &task));
    KILN_TRY(load_strings(r, &p->classes, &p->n_classes));
    KILN_TRY(kiln_r_u32(r, &norm));
    if ((task != KILN_TASK_CLASSIFY && task != KILN_TASK_REGRESS) || norm > KILN_NORMALIZE_MINMAX ||
        (task == KILN_TASK_CLASSIFY && p->n_classes < 2))
        return KILN_ERROR(KILN_EINPUT, "model file: bad pipeline header");
    p->task = (kiln_task)task;
    p->normalize = (kiln_normalize)norm;
    KILN_TRY(kiln_r_count(r, (size_t)1 << 24, &n_in));
    if (!(p->in = kiln_alloc(n_in, sizeof *p->in)))
        return KILN_ENOMEM;
    while (p->n_in < n_in) {
        /* Counted before it is read, so a column that fails halfway is freed. */
        kiln_pipe_col *pc = &p->in[p->n_in++];
        KILN_TRY(load_column(r, pc, p->n_out));
        p->n_out += pc->n_out;
    }
    KILN_TRY(make_out_names(p));
    p->shift = kiln_alloc(p->n_out, sizeof *p->shift);
    p->scale = kiln_alloc(p->n_out, sizeof *p->scale);
    if (!p->shift || !p->scale)
        return KILN_ENOMEM;
    KILN_TRY(kiln_r_f64s(r, p->shift, p->n_out));
    KILN_TRY(kiln_r_f64s(r, p->scale, p->n_out));
    return kiln_reader_has_section(r, "SUMM") ? load_summary(p, r) : KILN_OK;
}

kiln_status kiln_pipeline_load(kiln_pipeline **out, kiln_reader *r)
{
    kiln_pipeline *p = kiln_alloc(1, sizeof *p);
    if (!p)
        return KILN_ENOMEM;
    kiln_status s = pipeline_load(p, r);
    if (s != KILN_OK) {
        kiln_pipeline_free(p);
        return s;
    }
    *out = p;
    return KILN_OK;
}

/* ---- inspect -------------------------------------------------------------- */

static const char *const enc_names[] = {"numeric", "binary", "one-hot", "target"};
static const char *const norm_names[] = {"auto", "none", "zscore", "minmax"};

static void inspect_json(const kiln_pipeline *p, FILE *out)
{
    kiln_json j;
    kiln_json_init(&j, out, 1);
    kiln_json_begin_object(&j);
    kiln_json_key(&j, "target");
    kiln_json_str(&j, p->target);
    kiln_json_key(&j, "task");
    kiln_json_str(&j, p->task == KILN_TASK_CLASSIFY ? "classification" : "regression");
    if (p->task == KILN_TASK_CLASSIFY) {
        kiln_json_key(&j, "classes");
        kiln_json_begin_array(&j);
        for (size_t k = 0; k < p->n_classes; k++)
            kiln_json_str(&j, p->classes[k]);
        kiln_json_end_array(&j);
    }
    kiln_json_key(&j, "normalize");
    kiln_json_str(&j, norm_names[p->normalize]);
    kiln_json_key(&j, "columns");
    kiln_json_begin_array(&j);
    for (size_t i = 0; i < p->n_in; i++) {
        const kiln_pipe_col *pc = &p->in[i];
        kiln_json_begin_object(&j);
        kiln_json_key(&j, "name");
        kiln_json_str(&j, pc->name);
        kiln_json_key(&j, "encoding");
        kiln_json_str(&j, enc_names[pc->enc]);
        kiln_json_key(&j, "impute");
        if (pc->enc == KILN_ENC_NUMERIC)
            kiln_json_num(&j, pc->impute);
        else
            kiln_json_str(&j, pc->nlevels ? pc->levels[(size_t)pc->impute] : "");
        if (pc->enc != KILN_ENC_NUMERIC) {
            kiln_json_key(&j, "levels");
            kiln_json_begin_array(&j);
            for (size_t l = 0; l < pc->nlevels; l++)
                kiln_json_str(&j, pc->levels[l]);
            kiln_json_end_array(&j);
        }
        kiln_json_key(&j, "outputs");
        kiln_json_begin_array(&j);
        for (size_t k = 0; k < pc->n_out; k++) {
            size_t o = pc->first_out + k;
            kiln_json_begin_object(&j);
            kiln_json_key(&j, "name");
            kiln_json_str(&j, p->out_names[o]);
            kiln_json_key(&j, "shift");
            kiln_json_num(&j, p->shift[o]);
            kiln_json_key(&j, "scale");
            kiln_json_num(&j, p->scale[o]);
            kiln_json_end_object(&j);
        }
        kiln_json_end_array(&j);
        kiln_json_end_object(&j);
    }
    kiln_json_end_array(&j);
    kiln_json_end_object(&j);
}

static void inspect_text(const kiln_pipeline *p, FILE *out)
{
    fprintf(out, "target: %s (%s)\n", p->target, p->task == KILN_TASK_CLASSIFY ? "classification" : "regression");
    if (p->task == KILN_TASK_CLASSIFY) {
        fprintf(out, "classes:");
        for (size_t k = 0; k < p->n_classes; k++)
            fprintf(out, " %s", p->classes[k]);
        fputc('\n', out);
    }
    fprintf(out, "preprocessing (normalize: %s):\n", norm_names[p->normalize]);
    for (size_t i = 0; i < p->n_in; i++) {
        const kiln_pipe_col *pc = &p->in[i];
        if (pc->enc == KILN_ENC_NUMERIC)
            fprintf(out, "  %-24s numeric, impute mean %.6g", pc->name, pc->impute);
        else
            fprintf(out, "  %-24s %s over %zu levels, impute '%s'", pc->name, enc_names[pc->enc], pc->nlevels,
                    pc->nlevels ? pc->levels[(size_t)pc->impute] : "");
        if (p->normalize != KILN_NORMALIZE_NONE && pc->n_out == 1)
            fprintf(out, ", scale (x - %.6g) / %.6g", p->shift[pc->first_out], p->scale[pc->first_out]);
        fputc('\n', out);
    }
}

void kiln_pipeline_inspect(const kiln_pipeline *p, kiln_inspect_format fmt, FILE *out)
{
    if (fmt == KILN_INSPECT_JSON)
        inspect_json(p, out);
    else
        inspect_text(p, out);
}
