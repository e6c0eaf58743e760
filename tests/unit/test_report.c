/* algos/select/curves.c and the report (algos/select/report.c, io/report.c):
 * ROC and precision-recall points and the AUC against scikit-learn
 * (tests/data/report/make_curve_fixtures.py) and kiln's own AUC metric; the
 * report's contents on iris, diabetes and with permutation importance; the
 * written page is self-contained. The page rendering is tested in
 * tests/cli/test_report.sh (headless Chromium). */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "kiln/curves.h"
#include "kiln/report.h"
#include "testrun.h"

#define FIXTURE KILN_SOURCE_DIR "/tests/data/report/curve_fixtures.txt"
#define TOL 1e-12

typedef struct curve_case {
    char name[32];
    size_t n;
    double *y, *s;
    size_t m[5];
    double *v[5]; /* fpr, tpr, thr, prec, rec */
    double auc;
} curve_case;

static const char *const tags[5] = {"fpr", "tpr", "thr", "prec", "rec"};

static int read_case(FILE *f, curve_case *c)
{
    memset(c, 0, sizeof *c);
    if (fscanf(f, " case %31s %zu", c->name, &c->n) != 2)
        return 0;
    c->y = malloc(c->n * sizeof *c->y);
    c->s = malloc(c->n * sizeof *c->s);
    ck_assert_msg(fscanf(f, " y") == 0, "fixture y line");
    for (size_t i = 0; i < c->n; i++)
        ck_assert_msg(fscanf(f, "%lf", &c->y[i]) == 1, "fixture %s: label %zu", c->name, i);
    ck_assert_msg(fscanf(f, " s") == 0, "fixture s line");
    for (size_t i = 0; i < c->n; i++)
        ck_assert_msg(fscanf(f, "%lf", &c->s[i]) == 1, "fixture %s: score %zu", c->name, i);
    for (int t = 0; t < 5; t++) {
        char tag[16];
        ck_assert_msg(fscanf(f, "%15s %zu", tag, &c->m[t]) == 2 && strcmp(tag, tags[t]) == 0, "fixture %s: %s line",
                      c->name, tags[t]);
        c->v[t] = malloc(c->m[t] * sizeof(double));
        for (size_t i = 0; i < c->m[t]; i++)
            ck_assert_msg(fscanf(f, "%lf", &c->v[t][i]) == 1, "fixture %s: %s value %zu", c->name, tags[t], i);
    }
    ck_assert_msg(fscanf(f, " auc %lf end", &c->auc) == 1, "fixture %s: auc line", c->name);
    return 1;
}

static void free_case(curve_case *c)
{
    free(c->y);
    free(c->s);
    for (int t = 0; t < 5; t++)
        free(c->v[t]);
}

static void check_points(const char *name, const char *what, const double *got, const double *want, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        int same = (isinf(want[i]) || want[i] >= 1e308) ? isinf(got[i]) : fabs(got[i] - want[i]) <= TOL;
        ck_assert_msg(same, "%s: %s point %zu is %.17g, scikit-learn %.17g", name, what, i, got[i], want[i]);
    }
}

START_TEST(curves_match_scikit_learn)
{
    FILE *f = fopen(FIXTURE, "r");
    ck_assert_msg(f != NULL, "fixture %s opens", FIXTURE);
    curve_case c;
    int cases = 0;
    while (read_case(f, &c)) {
        unsigned char *pos = malloc(c.n);
        for (size_t i = 0; i < c.n; i++)
            pos[i] = c.y[i] == 1;
        kiln_curve roc, pr;
        ck_assert_msg(kiln_curve_roc(c.s, pos, c.n, &roc) == KILN_OK, "%s: ROC computed", c.name);
        ck_assert_msg(kiln_curve_pr(c.s, pos, c.n, &pr) == KILN_OK, "%s: PR computed", c.name);
        ck_assert_msg(roc.n == c.m[0], "%s: %zu ROC points, scikit-learn %zu", c.name, roc.n, c.m[0]);
        ck_assert_msg(pr.n == c.m[3], "%s: %zu PR points, scikit-learn %zu", c.name, pr.n, c.m[3]);
        check_points(c.name, "FPR", roc.x, c.v[0], roc.n);
        check_points(c.name, "TPR", roc.y, c.v[1], roc.n);
        check_points(c.name, "threshold", roc.threshold, c.v[2], roc.n);
        check_points(c.name, "precision", pr.y, c.v[3], pr.n);
        check_points(c.name, "recall", pr.x, c.v[4], pr.n);
        double area = kiln_curve_area(&roc);
        ck_assert_msg(fabs(area - c.auc) <= TOL, "%s: ROC area %.17g, roc_auc_score %.17g", c.name, area, c.auc);

        kiln_mat *scores = kiln_mat_new(c.n, 2);
        for (size_t i = 0; i < c.n; i++) {
            KILN_MAT_AT(scores, i, 0) = -c.s[i];
            KILN_MAT_AT(scores, i, 1) = c.s[i];
        }
        kiln_metrics met;
        ck_assert_msg(kiln_metrics_classify(c.y, scores, 0, &met) == KILN_OK, "%s: metrics computed", c.name);
        ck_assert_msg(fabs(area - met.auc) <= TOL, "%s: ROC area %.17g equals kiln's AUC metric %.17g", c.name, area,
                      met.auc);
        kiln_mat_free(scores);
        kiln_curve_clear(&roc);
        kiln_curve_clear(&pr);
        ck_assert_msg(roc.n == 0 && roc.x == NULL, "%s: a cleared curve is empty", c.name);
        free(pos);
        free_case(&c);
        cases++;
    }
    fclose(f);
    ck_assert_msg(cases == 4, "all 4 fixture cases read (%d)", cases);
}
END_TEST

START_TEST(curves_refuse_one_sided_or_nan_input)
{
    double s[3] = {0.1, 0.2, 0.3};
    unsigned char all[3] = {1, 1, 1}, none[3] = {0, 0, 0}, mixed[3] = {0, 1, 1};
    kiln_curve c;
    ck_assert_msg(kiln_curve_roc(s, all, 3, &c) == KILN_EINPUT, "ROC with no negative row is KILN_EINPUT");
    ck_assert_msg(kiln_curve_pr(s, none, 3, &c) == KILN_EINPUT, "PR with no positive row is KILN_EINPUT");
    s[1] = NAN;
    ck_assert_msg(kiln_curve_roc(s, mixed, 3, &c) == KILN_EINPUT, "ROC with a NaN score is KILN_EINPUT");
    ck_assert_msg(strstr(kiln_last_error(), "NaN") != NULL, "the message names the NaN: %s", kiln_last_error());
}
END_TEST

static kiln_model *train(const kiln_frame *f, const char *id)
{
    const kiln_algo *a = kiln_algo_find(id);
    kiln_params p;
    kiln_params_defaults(&p, a->params);
    kiln_ctx ctx = kiln_ctx_default();
    ctx.threads = 1;
    kiln_model *m = NULL;
    ck_assert_msg(kiln_model_train(f, NULL, "target", a, &p, 0, KILN_NORMALIZE_AUTO, &ctx, &m) == KILN_OK,
                  "%s trains: %s", id, kiln_last_error());
    return m;
}

static char *slurp(const char *path)
{
    FILE *f = fopen(path, "rb");
    ck_assert_msg(f != NULL, "%s was written", path);
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    rewind(f);
    char *buf = malloc((size_t)n + 1);
    ck_assert_msg(fread(buf, 1, (size_t)n, f) == (size_t)n, "%s read back", path);
    buf[n] = '\0';
    fclose(f);
    return buf;
}

START_TEST(iris_report_has_every_part)
{
    kiln_frame *f;
    ck_assert_msg(kiln_csv_read(KILN_SOURCE_DIR "/datasets/iris.csv", NULL, &f) == KILN_OK, "iris reads");
    kiln_model *m = train(f, "lr");
    kiln_report_options o = kiln_report_options_default();
    o.train = f;
    o.threads = 1;
    o.title = "iris <test>";
    kiln_report *r;
    ck_assert_msg(kiln_report_build(m, f, &o, &r) == KILN_OK, "report built: %s", kiln_last_error());
    ck_assert_msg(r->n_classes == 3 && r->n_curves == 3, "one-vs-rest curves for 3 classes");
    double total = 0, trace = 0;
    for (size_t t = 0; t < 3; t++)
        for (size_t p = 0; p < 3; p++) {
            total += r->confusion[t * 3 + p];
            trace += t == p ? r->confusion[t * 3 + p] : 0;
        }
    ck_assert_msg(total == (double)f->nrows, "the confusion matrix counts every row (%g)", total);
    double acc = NAN;
    for (size_t i = 0; i < r->n_metrics; i++)
        if (strcmp(r->metric_names[i], "Accuracy") == 0)
            acc = r->metric_values[i];
    ck_assert_msg(fabs(acc - trace / total) < 1e-12, "Accuracy %g is the confusion matrix trace share", acc);
    for (size_t c = 0; c < 3; c++)
        ck_assert_msg(r->roc[c].n > 2 && r->pr[c].n > 1 && r->roc_auc[c] > 0.9, "class %zu curves drawn, AUC %g",
                      c, r->roc_auc[c]);
    ck_assert_msg(r->importance_kind == KILN_IMPORTANCE_BUILTIN && r->n_features == 4,
                  "lr's own importance over its 4 encoded columns");
    for (size_t j = 1; j < r->n_features; j++)
        ck_assert_msg(r->importance[j - 1] >= r->importance[j], "importances sorted, largest first");
    ck_assert_msg(r->n_learn == 5 && r->learn_size[0] == 15 && r->learn_size[4] == 150,
                  "five learning sizes from 10%% to 100%% of 150 rows");
    for (size_t i = 0; i < r->n_learn; i++)
        ck_assert_msg(r->learn_test[i] > 0.3 && r->learn_test[i] <= 1, "learning point %zu scored (%g)", i,
                      r->learn_test[i]);

    char path[] = "/tmp/kiln_report_XXXXXX";
    int fd = mkstemp(path);
    ck_assert_msg(fd >= 0, "temporary file");
    ck_assert_msg(kiln_report_write(r, NULL, path) == KILN_OK, "report written: %s", kiln_last_error());
    char *html = slurp(path);
    ck_assert_msg(strstr(html, "<title>iris &lt;test&gt;</title>") != NULL, "the title is escaped");
    size_t svgs = 0;
    for (const char *p = html; (p = strstr(p, "<svg")) != NULL; p++)
        svgs++;
    ck_assert_msg(svgs == 5, "ROC, PR, confusion, importance, learning curve: %zu charts", svgs);
    ck_assert_msg(!strstr(html, "<script") && !strstr(html, "http:") && !strstr(html, "https:") &&
                      !strstr(html, "src=") && !strstr(html, "@import") && !strstr(html, "url("),
                  "nothing is fetched from elsewhere");

    const char *columns[2] = {"Accuracy", "TT (Sec)"}, *models[2] = {"Logistic Regression", "Broken <model>"};
    const char *errors[2] = {NULL, "failed"};
    double values[4] = {0.97, 0.01, NAN, NAN};
    kiln_report_leaderboard lb = {2, 2, columns, models, values, errors};
    ck_assert_msg(kiln_report_write(r, &lb, path) == KILN_OK, "report with a leaderboard written");
    free(html);
    html = slurp(path);
    ck_assert_msg(strstr(html, "<h2>Leaderboard</h2>") && strstr(html, "<th>TT (Sec)</th>") &&
                      strstr(html, "<td>0.9700</td>") && strstr(html, "Broken &lt;model&gt;"),
                  "the leaderboard rows and columns are in the page");
    free(html);
    close(fd);
    unlink(path);
    kiln_report_free(r);
    kiln_model_free(m);
    kiln_frame_free(f);
}
END_TEST

START_TEST(regression_report_and_permutation_importance)
{
    kiln_frame *f;
    ck_assert_msg(kiln_csv_read(KILN_SOURCE_DIR "/datasets/diabetes.csv", NULL, &f) == KILN_OK, "diabetes reads");
    kiln_model *m = train(f, "knn");
    kiln_report_options o = kiln_report_options_default();
    o.threads = 1;
    o.importance_repeats = 2;
    kiln_report *r;
    ck_assert_msg(kiln_report_build(m, f, &o, &r) == KILN_OK, "report built: %s", kiln_last_error());
    ck_assert_msg(r->task == KILN_TASK_REGRESS && r->n_curves == 0 && r->confusion == NULL, "no classifier charts");
    for (size_t i = 0; i < r->rows; i++)
        ck_assert_msg(r->residual[i] == r->actual[i] - r->predicted[i], "residual %zu is actual - predicted", i);
    ck_assert_msg(r->importance_kind == KILN_IMPORTANCE_PERMUTATION && r->n_features == 10,
                  "knn has no importance of its own: permutation importance over 10 raw columns");
    ck_assert_msg(r->n_learn == 0, "no learning curve without training rows");
    ck_assert_msg(kiln_report_write(r, NULL, "/nonexistent-dir/r.html") == KILN_EINPUT,
                  "an unwritable path is KILN_EINPUT");
    kiln_report_free(r);
    o.learning_points = 0;
    ck_assert_msg(kiln_report_build(m, f, &o, &r) == KILN_EINPUT, "zero learning points is KILN_EINPUT");
    kiln_report_free(NULL);
    kiln_model_free(m);
    kiln_frame_free(f);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("report");
    TCase *tc = tcase_create("report");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, curves_match_scikit_learn);
    tcase_add_test(tc, curves_refuse_one_sided_or_nan_input);
    tcase_add_test(tc, iris_report_has_every_part);
    tcase_add_test(tc, regression_report_and_permutation_importance);
    suite_add_tcase(s, tc);
    return test_run_suite(s);
}
