/* Random forest and decision tree fit time, accuracy and memory, beside
 * scikit-learn in the same run.
 *
 *     bench_tree [rows=300000] [trees=100] [threads=2] [repeats=3] [sets=bc]
 *
 * Two generated classification sets (bench_data.h), 20 % of each held out:
 * binary (rows x 28) and one with categorical columns (rows/3 x 44 after
 * one-hot encoding); `sets` picks some of them (b, c). On each, kiln's rf
 * (n_estimators=trees) and dt and scikit-learn's RandomForestClassifier
 * (n_jobs=threads) and DecisionTreeClassifier are fitted with their defaults,
 * each fit in a fresh process reading the same float64 rows (this program
 * with --fit, bench_tree_sklearn.py under /usr/bin/python3), alternating
 * kiln and scikit-learn; the medians of `repeats` fits are compared. kiln's
 * fit time includes binning. Printed: the time ratio, held-out accuracy both
 * sides, peak resident memory (VmHWM) and its part above the loaded data, the
 * nodes, and the bytes per node of kiln's arrays in memory and of the model
 * files (a pickle for scikit-learn). */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "bench_data.h"
#include "kiln/algo.h"
#include "kiln/util.h"

static const char *const SET_NAMES[] = {"binary", "categorical"};
static const bench_set SETS[] = {BENCH_BINARY, BENCH_CATEGORICAL};

static void data_path(char *buf, size_t size, int set, const char *part)
{
    snprintf(buf, size, "/tmp/kiln_bench_tree_%s_%s.bin", SET_NAMES[set], part);
}

static double accuracy(const kiln_mat *proba, const double *y)
{
    size_t hit = 0;
    for (size_t i = 0; i < proba->rows; i++) {
        size_t best = 0;
        for (size_t k = 1; k < proba->cols; k++)
            if (KILN_MAT_AT(proba, i, k) > KILN_MAT_AT(proba, i, best))
                best = k;
        hit += (double)best == y[i];
    }
    return (double)hit / (double)proba->rows;
}

/* The number before `label` in txt, inspect's text ("..., N nodes (L
 * leaves), B bytes per node"); 0 if there is none. */
static double figure_before(const char *txt, const char *label)
{
    const char *at = strstr(txt, label);
    while (at && at > txt && at[-1] >= '0' && at[-1] <= '9')
        at--;
    return at ? atof(at) : 0;
}

/* The forest's nodes and bytes per node in memory, from one inspect. */
static void model_size(const kiln_algo *a, const void *m, double *nodes, double *bytes_per_node)
{
    char *txt = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&txt, &len);
    kiln_inspect_args ia = {.format = KILN_INSPECT_TEXT, .tree = 0};
    a->inspect(m, &ia, f);
    fclose(f);
    *nodes = figure_before(txt, " nodes (");
    *bytes_per_node = figure_before(txt, " bytes per node");
    free(txt);
}

/* The child: fit kiln's `id` on one set and print its bench_run line. */
static int fit_child(int set, const char *id, const char *trees, int threads)
{
    char tr_path[256], te_path[256];
    data_path(tr_path, sizeof tr_path, set, "train");
    data_path(te_path, sizeof te_path, set, "test");
    bench_data tr, te;
    if (bench_read(tr_path, &tr) || bench_read(te_path, &te)) {
        fprintf(stderr, "bench_tree: cannot read %s\n", tr_path);
        return 1;
    }
    kiln_dataset train = {.X = *tr.X, .y = tr.y, .task = tr.task, .n_classes = tr.n_classes};
    const kiln_algo *a = kiln_algo_find(id);
    kiln_params p;
    kiln_params_defaults(&p, a->params);
    if (strcmp(id, "rf") == 0) {
        char s[64];
        snprintf(s, sizeof s, "n_estimators=%s", trees);
        kiln_params_set(&p, s);
    }
    kiln_ctx c = kiln_ctx_default();
    c.threads = threads;
    double rss, peak, rss_after;
    bench_memory(&rss, &peak);
    void *m;
    double t0 = kiln_now();
    if (a->fit(&m, &p, &train, &c) != KILN_OK) {
        fprintf(stderr, "bench_tree: %s\n", kiln_last_error());
        return 1;
    }
    double secs = kiln_now() - t0;
    bench_memory(&rss_after, &peak);
    kiln_mat *out = kiln_mat_new(te.X->rows, tr.n_classes);
    a->predict(m, te.X, out);
    kiln_writer *w = kiln_writer_new();
    const unsigned char *bytes;
    size_t file_bytes = 0;
    a->save(m, w);
    kiln_writer_finish(w, &bytes, &file_bytes);
    kiln_writer_free(w);
    double nodes, bytes_per_node;
    model_size(a, m, &nodes, &bytes_per_node);
    printf("%.6f %.9g %.1f %.1f %.0f %zu %.0f\n", secs, accuracy(out, te.y), rss, peak, nodes, file_bytes,
           bytes_per_node);
    kiln_mat_free(out);
    a->free(m);
    kiln_dataset_clear_cache(&train);
    bench_data_free(&tr);
    bench_data_free(&te);
    return 0;
}

/* kiln's tree fit calls no BLAS, so its child runs without OpenBLAS's
 * thread pool: the pool's threads spin about 0.13 s after the process starts
 * (Debian's pthread OpenBLAS, a 2^28-cycle timeout), which in this child,
 * whose data loads in a few milliseconds, fell inside the timed fit and took
 * a core from it (1.20 -> 1.14 s, 5 %, for the categorical forest, medians of
 * 8 alternating runs). The Python child keeps its default: its pool spins
 * while scikit-learn imports, before its fit starts. */
#define NO_BLAS_THREADS "OPENBLAS_NUM_THREADS=1"

static int bench_model(int set, const char *id, const char *self, const char *dir, const char *trees, int threads,
                       int repeats)
{
    char tr_path[256], te_path[256], kcmd[8192], scmd[8192];
    data_path(tr_path, sizeof tr_path, set, "train");
    data_path(te_path, sizeof te_path, set, "test");
    snprintf(kcmd, sizeof kcmd, "%s %s --fit %d %s %s %d", NO_BLAS_THREADS, self, set, id, trees, threads);
    snprintf(scmd, sizeof scmd, "/usr/bin/python3 %s/bench_tree_sklearn.py %s %s %s %s %d", dir, tr_path, te_path,
             id, trees, threads);
    bench_run k[BENCH_MAX_REPEATS], s[BENCH_MAX_REPEATS];
    for (int i = 0; i < repeats; i++)
        if (bench_child(kcmd, &k[i]) || bench_child(scmd, &s[i]))
            return 1;
    size_t n = (size_t)repeats;
    double ks = bench_median(k, n, offsetof(bench_run, secs)), ss = bench_median(s, n, offsetof(bench_run, secs));
    double kp = bench_median(k, n, offsetof(bench_run, peak)), sp = bench_median(s, n, offsetof(bench_run, peak));
    double kr = bench_median(k, n, offsetof(bench_run, rss)), sr = bench_median(s, n, offsetof(bench_run, rss));
    printf("%s %s: fit kiln %.3f s, scikit-learn %.3f s (medians of %d) -> ratio %.3f\n", SET_NAMES[set], id, ks, ss,
           repeats, ks / ss);
    printf("  held-out accuracy: kiln %.4f, scikit-learn %.4f (%+.4f)\n", k[0].score, s[0].score,
           k[0].score - s[0].score);
    printf("  peak RSS: kiln %.1f MB, scikit-learn %.1f MB; above the loaded data: kiln %.1f MB, scikit-learn %.1f MB\n",
           kp, sp, kp - kr, sp - sr);
    printf("  model: kiln %.0f nodes, %.0f bytes per node in memory, %.1f in the file; scikit-learn %.0f nodes, "
           "%.1f bytes per node pickled\n",
           k[0].nodes, k[0].extra, k[0].file_bytes / k[0].nodes, s[0].nodes, s[0].file_bytes / s[0].nodes);
    bench_print_runs("scikit-learn", k, s, repeats);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc == 6 && strcmp(argv[1], "--fit") == 0)
        return fit_child(atoi(argv[2]), argv[3], argv[4], atoi(argv[5]));
    size_t rows = argc > 1 ? (size_t)atol(argv[1]) : 300000;
    const char *trees = argc > 2 ? argv[2] : "100";
    int threads = argc > 3 ? atoi(argv[3]) : 2;
    int repeats = argc > 4 ? atoi(argv[4]) : 3;
    const char *sets = argc > 5 ? argv[5] : "bc";
    if (rows < 100 || rows > UINT32_MAX) { /* not a number (--help) would write sets of no rows */
        fprintf(stderr, "usage: %s [rows=300000] [trees=100] [threads=2] [repeats=3] [sets=bc]\n", argv[0]);
        return 1;
    }
    char self[4096], dir[4096];
    if (repeats < 1 || repeats > BENCH_MAX_REPEATS || bench_paths(__FILE__, dir, sizeof dir, self, sizeof self)) {
        fprintf(stderr, "bench_tree: repeats must be 1..%d\n", BENCH_MAX_REPEATS);
        return 1;
    }
    printf("bench_tree: rf n_estimators=%s and dt, %d threads\n", trees, threads);
    for (int set = 0; set < 2; set++) {
        if (!strchr(sets, "bc"[set]))
            continue;
        size_t n = set == 0 ? rows : rows / 3, n_te = n / 5;
        bench_data tr, te;
        char path[256];
        if (bench_generate(SETS[set], KILN_TASK_CLASSIFY, n - n_te, 1, &tr) ||
            bench_generate(SETS[set], KILN_TASK_CLASSIFY, n_te, 2, &te))
            return 1;
        data_path(path, sizeof path, set, "train");
        int bad = bench_write(path, &tr);
        data_path(path, sizeof path, set, "test");
        bad = bad || bench_write(path, &te);
        printf("%s: %zu train + %zu test rows x %zu features (%.1f MB of doubles, %.1f MB binned)\n", SET_NAMES[set],
               tr.X->rows, te.X->rows, tr.X->cols, (double)(tr.X->rows * tr.X->cols * 8) / 1048576.0,
               (double)(tr.X->rows * tr.X->cols) / 1048576.0);
        bench_data_free(&tr);
        bench_data_free(&te);
        if (bad || bench_model(set, "rf", self, dir, trees, threads, repeats) ||
            bench_model(set, "dt", self, dir, trees, threads, repeats))
            return 1;
    }
    return 0;
}
