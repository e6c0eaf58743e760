/* Random forest and decision tree fit time, beside scikit-learn in the same run.
 *
 *     bench_tree [rows=300000] [trees=100] [threads=2] [--no-sklearn]
 *
 * A generated binary problem of `rows` x 28 features (a nonlinear score of ten
 * features plus noise, the rest distractors; 20 % held out) is fitted by kiln's
 * rf (n_estimators=trees) and dt, then by scikit-learn's RandomForestClassifier
 * (n_jobs=2) and DecisionTreeClassifier on the same rows via
 * bench/bench_tree_sklearn.py. Prints fit seconds, held-out accuracy, the time
 * ratio, tree sizes, and peak resident memory against the data size. Before
 * timing, the forest's predictions are checked against a reloaded copy. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include "kiln/algo.h"
#include "kiln/util.h"

#define D 28

static double peak_mb(void)
{
    struct rusage u;
    getrusage(RUSAGE_SELF, &u);
    return (double)u.ru_maxrss / 1024.0;
}

static void generate(kiln_mat *X, double *y, uint64_t seed)
{
    kiln_rng r;
    kiln_rng_seed(&r, seed);
    for (size_t i = 0; i < X->rows; i++) {
        double *x = KILN_MAT_ROW(X, i);
        for (size_t j = 0; j < D; j++)
            x[j] = round(kiln_rng_normal(&r) * 1e4) / 1e4;
        double s = x[0] * x[1] + sin(2 * x[2]) + 0.5 * x[3] * x[3] - x[4] + 0.3 * (x[5] + x[6] - x[7]) +
                   (x[8] > 0.5 ? 0.8 : 0.0) * x[9] + 0.5 * kiln_rng_normal(&r);
        y[i] = s > 0.5;
    }
}

static void write_csv(const char *path, const kiln_mat *X, const double *y)
{
    FILE *f = fopen(path, "w");
    for (size_t j = 0; j < D; j++)
        fprintf(f, "x%zu,", j);
    fputs("y\n", f);
    for (size_t i = 0; i < X->rows; i++) {
        for (size_t j = 0; j < D; j++)
            fprintf(f, "%.4f,", KILN_MAT_AT(X, i, j));
        fprintf(f, "%g\n", y[i]);
    }
    fclose(f);
}

static double accuracy(const kiln_mat *proba, const double *y)
{
    size_t hit = 0;
    for (size_t i = 0; i < proba->rows; i++)
        hit += (KILN_MAT_AT(proba, i, 1) > KILN_MAT_AT(proba, i, 0)) == (y[i] == 1.0);
    return (double)hit / (double)proba->rows;
}

typedef struct result {
    double secs, acc, peak_mb; /* peak RSS right after the fit */
    size_t nodes, bytes_per_node;
} result;

static int run(const char *id, const char *trees, kiln_dataset *train, const kiln_mat *Xte, const double *yte,
               int threads, result *res)
{
    const kiln_algo *a = kiln_algo_find(id);
    kiln_params p;
    kiln_params_defaults(&p, a->params);
    if (trees) {
        char s[64];
        snprintf(s, sizeof s, "n_estimators=%s", trees);
        kiln_params_set(&p, s);
    }
    kiln_ctx c = kiln_ctx_default();
    c.threads = threads;
    void *m;
    kiln_dataset_clear_cache(train); /* binning is part of each fit's time */
    double t0 = kiln_now();
    if (a->fit(&m, &p, train, &c) != KILN_OK) {
        fprintf(stderr, "%s: %s\n", id, kiln_last_error());
        return 1;
    }
    res->secs = kiln_now() - t0;
    res->peak_mb = peak_mb();
    kiln_mat *out = kiln_mat_new(Xte->rows, 2);
    a->predict(m, Xte, out);
    res->acc = accuracy(out, yte);
    /* Check: a reloaded copy predicts the same. */
    kiln_writer *w = kiln_writer_new();
    const unsigned char *bytes;
    size_t len;
    a->save(m, w);
    kiln_writer_finish(w, &bytes, &len);
    kiln_reader *r;
    void *m2;
    kiln_reader_open_mem(bytes, len, "bench", &r);
    int bad = a->load(&m2, r) != KILN_OK;
    kiln_mat *out2 = kiln_mat_new(Xte->rows, 2);
    if (!bad) {
        a->predict(m2, Xte, out2);
        bad = memcmp(out->data, out2->data, Xte->rows * 2 * sizeof(double)) != 0;
        a->free(m2);
    }
    kiln_reader_free(r);
    kiln_writer_free(w);
    char *txt = NULL;
    size_t tlen = 0;
    FILE *f = open_memstream(&txt, &tlen);
    kiln_inspect_args ia = {.format = KILN_INSPECT_TEXT, .tree = 0};
    a->inspect(m, &ia, f);
    fclose(f);
    /* "Random Forest: classification, T trees, N nodes (L leaves), B bytes per node" */
    const char *p2 = strchr(txt, ',');
    p2 = p2 ? strchr(p2 + 1, ',') : NULL;
    if (p2)
        sscanf(p2 + 2, "%zu nodes (%*u leaves), %zu bytes", &res->nodes, &res->bytes_per_node);
    free(txt);
    kiln_mat_free(out);
    kiln_mat_free(out2);
    a->free(m);
    if (bad)
        fprintf(stderr, "%s: reloaded model predicts differently\n", id);
    return bad;
}

int main(int argc, char **argv)
{
    size_t rows = argc > 1 ? (size_t)atol(argv[1]) : 300000;
    const char *trees = argc > 2 ? argv[2] : "100";
    int threads = argc > 3 ? atoi(argv[3]) : 2;
    int sklearn = !(argc > 4 && strcmp(argv[4], "--no-sklearn") == 0);
    size_t n_te = rows / 5, n_tr = rows - n_te;
    kiln_mat *Xtr = kiln_mat_new(n_tr, D), *Xte = kiln_mat_new(n_te, D);
    double *ytr = malloc(n_tr * sizeof *ytr), *yte = malloc(n_te * sizeof *yte);
    generate(Xtr, ytr, 1);
    generate(Xte, yte, 2);
    double data_mb = (double)(n_tr * D * sizeof(double)) / 1048576.0;
    printf("data: %zu train + %zu test rows x %d features (%.1f MB of doubles), %d threads\n", n_tr, n_te, D,
           data_mb, threads);
    kiln_dataset train = {.X = *Xtr, .y = ytr, .task = KILN_TASK_CLASSIFY, .n_classes = 2};
    result rf = {0}, dt = {0};
    double before = peak_mb();
    if (run("rf", trees, &train, Xte, yte, threads, &rf) || run("dt", NULL, &train, Xte, yte, threads, &dt))
        return 1;
    printf("kiln rf  fit %8.3f s  acc %.4f  (%zu nodes in all trees, %zu bytes/node)\n", rf.secs, rf.acc,
           rf.nodes, rf.bytes_per_node);
    printf("kiln dt  fit %8.3f s  acc %.4f  (%zu nodes)\n", dt.secs, dt.acc, dt.nodes);
    printf("peak RSS after the rf fit %.1f MB (%.1f MB before fitting; training data %.1f MB, %.1f MB binned)\n",
           rf.peak_mb, before, data_mb, (double)(n_tr * D) / 1048576.0);
    kiln_dataset_clear_cache(&train);
    if (sklearn) {
        write_csv("/tmp/kiln_bench_tree_train.csv", Xtr, ytr);
        write_csv("/tmp/kiln_bench_tree_test.csv", Xte, yte);
        char dir[4096], cmd[8192];
        snprintf(dir, sizeof dir, "%s", __FILE__); /* the script sits beside this source */
        char *slash = strrchr(dir, '/');
        if (slash)
            *slash = '\0';
        else
            snprintf(dir, sizeof dir, ".");
        snprintf(cmd, sizeof cmd,
                 "/usr/bin/python3 %s/bench_tree_sklearn.py /tmp/kiln_bench_tree_train.csv "
                 "/tmp/kiln_bench_tree_test.csv %s",
                 dir, trees);
        FILE *py = popen(cmd, "r");
        char name[8];
        double secs, acc;
        while (py && fscanf(py, "%7s %lf %lf", name, &secs, &acc) == 3) {
            const result *k = strcmp(name, "rf") == 0 ? &rf : &dt;
            printf("sklearn %s fit %8.3f s  acc %.4f  -> kiln/sklearn time %.3f, accuracy %+.4f\n", name, secs, acc,
                   k->secs / secs, k->acc - acc);
        }
        if (py)
            pclose(py);
    }
    kiln_mat_free(Xtr);
    kiln_mat_free(Xte);
    free(ytr);
    free(yte);
    return 0;
}
