/* Gradient boosting fit time, held-out loss and peak memory, beside XGBoost
 * 1.7 (tree_method="hist") in the same run.
 *
 *     bench_gbm [rows=300000] [rounds=100] [threads=2] [repeats=3] [sets=bmc]
 *
 * Three generated sets (bench_data.h), 20 % of each held out: binary (rows x
 * 28), multiclass (rows/3 x 28, 10 classes) and a regression set with
 * categorical columns (rows/3 x 44 after one-hot encoding); `sets` picks some
 * of them (b, m, c). Both sides grow the same trees: n_estimators=rounds,
 * max_depth=6, learning_rate=0.1, reg_lambda=1, min_child_weight=1, 255 bins,
 * `threads` threads.
 *
 * Every fit runs in a fresh process that reads the same float64 rows from a
 * file (this program with --fit for kiln, bench_gbm_xgboost.py under
 * /usr/bin/python3 for XGBoost), so peak memory (VmHWM) is measured alike; the
 * fits alternate kiln, XGBoost, kiln, ... and the medians of `repeats` are
 * compared. The fit time includes binning on both sides. Also printed: the
 * held-out loss (log loss; mean squared error for regression), the model's
 * nodes and bytes per node in the model file, and kiln's histogram
 * throughput: depth-1 trees on all training rows, rows x features
 * histogrammed per second. */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "algos/tree/tree_impl.h"
#include "bench_data.h"
#include "kiln/algo.h"
#include "kiln/util.h"

static const char *const SET_NAMES[] = {"binary", "multiclass", "categorical"};

static void data_path(char *buf, size_t size, int set, const char *part)
{
    snprintf(buf, size, "/tmp/kiln_bench_gbm_%s_%s.bin", SET_NAMES[set], part);
}

/* Mean log loss of probabilities, or mean squared error. */
static double held_out_loss(const kiln_mat *pred, const bench_data *d)
{
    double sum = 0;
    for (size_t i = 0; i < pred->rows; i++) {
        if (d->task == KILN_TASK_REGRESS) {
            double e = KILN_MAT_AT(pred, i, 0) - d->y[i];
            sum += e * e;
        } else {
            double p = KILN_MAT_AT(pred, i, (size_t)d->y[i]);
            sum -= log(p > 1e-15 ? p : 1e-15);
        }
    }
    return sum / (double)pred->rows;
}

/* Rows x features per second the builder histograms: depth-1 Newton trees on
 * every training row (the root's histograms and the smaller child's), from
 * float g, h as boosting gives them, with buffers kept from one tree to the
 * next as boosting keeps them (a first tree, untimed, makes them). */
static double hist_throughput(const kiln_dataset *train, int threads)
{
    const kiln_bins *b;
    if (kiln_bins_cached(train, 255, threads, &b) != KILN_OK)
        return 0;
    size_t n = train->X.rows;
    float *g = malloc(n * sizeof *g), *h = malloc(n * sizeof *h);
    for (size_t i = 0; i < n; i++) {
        g[i] = (float)(train->y[i] - 0.5);
        h[i] = 0.25f;
    }
    kiln_tree_stats s = {.m = 2, .g = g, .h = h, .stride = 1};
    kiln_criterion c = kiln_criterion_newton(1.0);
    kiln_tree_params p = kiln_tree_params_default();
    p.max_depth = 1;
    p.threads = threads;
    p.ws = kiln_tree_ws_new();
    kiln_rng r;
    kiln_rng_seed(&r, 0);
    double work = 0, t0 = 0;
    for (int k = 0; k <= 10; k++) {
        kiln_tree *t;
        if (k == 1)
            t0 = kiln_now();
        if (kiln_tree_grow(b, &s, NULL, n, &p, &c, &r, &t, NULL) != KILN_OK)
            break;
        size_t small = t->n_nodes == 3 ? (t->count[1] < t->count[2] ? t->count[1] : t->count[2]) : 0;
        work += k > 0 ? (double)(n + small) * (double)b->cols : 0;
        kiln_tree_free(t);
    }
    double secs = kiln_now() - t0;
    kiln_tree_ws_free(p.ws);
    free(g);
    free(h);
    return work / secs;
}

/* Nodes and bytes per node in memory, from inspect's summary line. */
static void model_nodes(const kiln_algo *a, const void *m, size_t *nodes)
{
    char *txt = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&txt, &len);
    kiln_inspect_args ia = {.format = KILN_INSPECT_TEXT, .tree = 0};
    a->inspect(m, &ia, f);
    fclose(f);
    const char *line = strstr(txt, " nodes (");
    *nodes = 0;
    while (line && line > txt && line[-1] >= '0' && line[-1] <= '9')
        line--;
    if (line)
        sscanf(line, "%zu", nodes);
    free(txt);
}

/* The child: fit kiln's gbm on one set; print "secs loss rss_mb peak_mb
 * nodes file_bytes throughput". */
static int fit_child(int set, const char *rounds, int threads)
{
    char tr_path[256], te_path[256];
    data_path(tr_path, sizeof tr_path, set, "train");
    data_path(te_path, sizeof te_path, set, "test");
    bench_data tr, te;
    if (bench_read(tr_path, &tr) || bench_read(te_path, &te)) {
        fprintf(stderr, "bench_gbm: cannot read %s\n", tr_path);
        return 1;
    }
    kiln_dataset train = {.X = *tr.X, .y = tr.y, .task = tr.task, .n_classes = tr.n_classes};
    const kiln_algo *a = kiln_algo_find("gbm");
    kiln_params p;
    kiln_params_defaults(&p, a->params);
    char s[64];
    snprintf(s, sizeof s, "n_estimators=%s", rounds);
    kiln_params_set(&p, s);
    kiln_ctx c = kiln_ctx_default();
    c.threads = threads;
    kiln_blas_threads(threads);
    double rss, peak;
    bench_memory(&rss, &peak);
    void *m;
    double t0 = kiln_now();
    if (a->fit(&m, &p, &train, &c) != KILN_OK) {
        fprintf(stderr, "bench_gbm: %s\n", kiln_last_error());
        return 1;
    }
    double secs = kiln_now() - t0, rss_after;
    bench_memory(&rss_after, &peak);
    size_t k = tr.task == KILN_TASK_REGRESS ? 1 : tr.n_classes;
    kiln_mat *out = kiln_mat_new(te.X->rows, k);
    a->predict(m, te.X, out);
    double loss = held_out_loss(out, &te);
    kiln_writer *w = kiln_writer_new();
    const unsigned char *bytes;
    size_t file_bytes = 0, nodes;
    a->save(m, w);
    kiln_writer_finish(w, &bytes, &file_bytes);
    kiln_writer_free(w);
    model_nodes(a, m, &nodes);
    double tput = hist_throughput(&train, threads);
    printf("%.6f %.9g %.1f %.1f %zu %zu %.6g\n", secs, loss, rss, peak, nodes, file_bytes, tput);
    kiln_mat_free(out);
    a->free(m);
    kiln_dataset_clear_cache(&train);
    bench_data_free(&tr);
    bench_data_free(&te);
    return 0;
}

static int bench_set_run(int set, const char *self, const char *dir, const char *rounds, int threads, int repeats)
{
    char tr_path[256], te_path[256], kcmd[8192], xcmd[8192];
    data_path(tr_path, sizeof tr_path, set, "train");
    data_path(te_path, sizeof te_path, set, "test");
    snprintf(kcmd, sizeof kcmd, "%s --fit %d %s %d", self, set, rounds, threads);
    snprintf(xcmd, sizeof xcmd, "/usr/bin/python3 %s/bench_gbm_xgboost.py %s %s %s %d", dir, tr_path, te_path, rounds,
             threads);
    bench_run k[BENCH_MAX_REPEATS], x[BENCH_MAX_REPEATS];
    for (int i = 0; i < repeats; i++)
        if (bench_child(kcmd, &k[i]) || bench_child(xcmd, &x[i]))
            return 1;
    size_t n = (size_t)repeats;
    double ks = bench_median(k, n, offsetof(bench_run, secs)), xs = bench_median(x, n, offsetof(bench_run, secs));
    double kp = bench_median(k, n, offsetof(bench_run, peak)), xp = bench_median(x, n, offsetof(bench_run, peak));
    double kr = bench_median(k, n, offsetof(bench_run, rss)), xr = bench_median(x, n, offsetof(bench_run, rss));
    const char *loss = set == BENCH_CATEGORICAL ? "MSE" : "log loss";
    printf("%s: fit kiln %.3f s, XGBoost %.3f s (medians of %d) -> ratio %.3f\n", SET_NAMES[set], ks, xs, repeats,
           ks / xs);
    printf("  held-out %s: kiln %.6f, XGBoost %.6f (%+.2f %%)\n", loss, k[0].score, x[0].score,
           100.0 * (k[0].score - x[0].score) / x[0].score);
    printf("  peak RSS: kiln %.1f MB, XGBoost %.1f MB (ratio %.3f); above the loaded data: kiln %.1f MB, "
           "XGBoost %.1f MB (ratio %.3f)\n",
           kp, xp, kp / xp, kp - kr, xp - xr, (kp - kr) / (xp - xr));
    printf("  model: kiln %.0f nodes, %.1f bytes per node in the file; XGBoost %.0f nodes, %.1f bytes per node\n",
           k[0].nodes, k[0].file_bytes / k[0].nodes, x[0].nodes, x[0].file_bytes / x[0].nodes);
    printf("  kiln histogram throughput: %.3g rows x features per second\n", bench_median(k, n, offsetof(bench_run, extra)));
    bench_print_runs("XGBoost", k, x, repeats);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc == 5 && strcmp(argv[1], "--fit") == 0)
        return fit_child(atoi(argv[2]), argv[3], atoi(argv[4]));
    size_t rows = argc > 1 ? (size_t)atol(argv[1]) : 300000;
    const char *rounds = argc > 2 ? argv[2] : "100";
    int threads = argc > 3 ? atoi(argv[3]) : 2;
    int repeats = argc > 4 ? atoi(argv[4]) : 3;
    const char *sets = argc > 5 ? argv[5] : "bmc";
    if (rows < 100 || rows > UINT32_MAX) { /* not a number (--help) would write sets of no rows */
        fprintf(stderr, "usage: %s [rows=300000] [rounds=100] [threads=2] [repeats=3] [sets=bmc]\n", argv[0]);
        return 1;
    }
    if (repeats < 1 || repeats > BENCH_MAX_REPEATS) {
        fprintf(stderr, "bench_gbm: repeats must be 1..%d\n", BENCH_MAX_REPEATS);
        return 1;
    }
    char self[4096], dir[4096];
    if (bench_paths(__FILE__, dir, sizeof dir, self, sizeof self)) {
        fprintf(stderr, "bench_gbm: cannot find its own executable\n");
        return 1;
    }
    printf("bench_gbm: %zu rows (binary), %zu (multiclass, categorical); %s rounds, depth 6, %d threads\n", rows,
           rows / 3, rounds, threads);
    for (int set = 0; set < 3; set++) {
        if (!strchr(sets, "bmc"[set]))
            continue;
        size_t n = set == BENCH_BINARY ? rows : rows / 3, n_te = n / 5;
        bench_data tr, te;
        char path[256];
        if (bench_generate((bench_set)set, KILN_TASK_REGRESS, n - n_te, 1, &tr) ||
            bench_generate((bench_set)set, KILN_TASK_REGRESS, n_te, 2, &te))
            return 1;
        data_path(path, sizeof path, set, "train");
        int bad = bench_write(path, &tr);
        data_path(path, sizeof path, set, "test");
        bad = bad || bench_write(path, &te);
        printf("%s: %zu train + %zu test rows x %zu features (%.1f MB of doubles)\n", SET_NAMES[set], tr.X->rows,
               te.X->rows, tr.X->cols, (double)(tr.X->rows * tr.X->cols * 8) / 1048576.0);
        bench_data_free(&tr);
        bench_data_free(&te);
        if (bad || bench_set_run(set, self, dir, rounds, threads, repeats))
            return 1;
    }
    return 0;
}
