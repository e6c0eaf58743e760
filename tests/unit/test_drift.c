/* algos/select/drift.c and the pipeline's training summary: the KS statistic
 * and p-value against scipy (tests/data/drift/make_ks_fixtures.py), PSI by
 * hand, the sketch of a large column, the summary's save/load round trip, a
 * model file without a summary, and bad input. */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "kiln/drift.h"
#include "kiln/util.h"
#include "testrun.h"

#define FIXTURE KILN_SOURCE_DIR "/tests/data/drift/ks_fixtures.txt"
/* Stephens' corrected limit against scipy's finite-n asymptotic p-value: the
 * largest gap over the fixtures is 0.012 (case "ties"). */
#define P_ASYMP_TOL 0.015

typedef struct ks_case {
    char name[32];
    size_t n1, n2;
    double *a, *b, d, p_asymp, p_limit;
} ks_case;

static int read_case(FILE *f, ks_case *c)
{
    memset(c, 0, sizeof *c);
    if (fscanf(f, " case %31s %zu %zu", c->name, &c->n1, &c->n2) != 3)
        return 0;
    c->a = malloc(c->n1 * sizeof *c->a);
    c->b = malloc(c->n2 * sizeof *c->b);
    ck_assert_msg(fscanf(f, " a") == 0, "fixture a line");
    for (size_t i = 0; i < c->n1; i++)
        ck_assert_msg(fscanf(f, "%lf", &c->a[i]) == 1, "%s: a[%zu]", c->name, i);
    ck_assert_msg(fscanf(f, " b") == 0, "fixture b line");
    for (size_t i = 0; i < c->n2; i++)
        ck_assert_msg(fscanf(f, "%lf", &c->b[i]) == 1, "%s: b[%zu]", c->name, i);
    ck_assert_msg(fscanf(f, " d %lf p_asymp %lf p_limit %lf end", &c->d, &c->p_asymp, &c->p_limit) == 3,
                  "%s: expected values", c->name);
    return 1;
}

/* Write columns x (and, if given, a numeric target y) as a CSV file and read it. */
static kiln_frame *frame_of(const char *path, const double *x, const double *y, size_t n)
{
    FILE *f = fopen(path, "w");
    ck_assert_msg(f != NULL, "%s opens for writing", path);
    fprintf(f, y ? "x,target\n" : "x\n");
    for (size_t i = 0; i < n; i++)
        y ? fprintf(f, "%.17g,%.17g\n", x[i], y[i]) : fprintf(f, "%.17g\n", x[i]);
    fclose(f);
    kiln_frame *fr;
    ck_assert_msg(kiln_csv_read(path, NULL, &fr) == KILN_OK, "%s reads: %s", path, kiln_last_error());
    unlink(path);
    return fr;
}

static kiln_pipeline *fit(const kiln_frame *f)
{
    kiln_pipeline *p;
    ck_assert_msg(kiln_pipeline_fit(f, "target", KILN_TASK_REGRESS, KILN_NORMALIZE_NONE, &p) == KILN_OK,
                  "pipeline fits: %s", kiln_last_error());
    ck_assert_msg(!p->has_summary, "fitting alone keeps no summary");
    ck_assert_msg(kiln_pipeline_summarize(p, f, 2) == KILN_OK, "training summary kept: %s", kiln_last_error());
    return p;
}

START_TEST(ks_matches_scipy)
{
    FILE *f = fopen(FIXTURE, "r");
    ck_assert_msg(f != NULL, "fixture %s opens", FIXTURE);
    ks_case c;
    int cases = 0;
    while (read_case(f, &c)) {
        if (strcmp(c.name, "sketch") == 0) {
            kiln_frame *train = frame_of("/tmp/kiln_drift_train.csv", c.a, c.a, c.n1);
            kiln_frame *fresh = frame_of("/tmp/kiln_drift_new.csv", c.b, NULL, c.n2);
            kiln_pipeline *p = fit(train);
            ck_assert_msg(p->in[0].n_sketch == KILN_SKETCH_SIZE && p->in[0].n_train == 5000,
                          "5000 training values kept as a 1000-value sketch");
            kiln_drift_options o = kiln_drift_options_default();
            kiln_drift_col r;
            ck_assert_msg(kiln_drift_check(p, fresh, &o, &r) == KILN_OK, "drift checked: %s", kiln_last_error());
            ck_assert_msg(fabs(r.ks - c.d) <= 1.0 / KILN_SKETCH_SIZE, "sketched D %.6f within 1/1000 of scipy's %.6f",
                          r.ks, c.d);
            ck_assert_msg(fabs(r.p_value - c.p_asymp) <= 2 * P_ASYMP_TOL, "sketched p %.4f near scipy's %.4f",
                          r.p_value, c.p_asymp);
            ck_assert_msg(!r.drift, "a 0.05 sd shift on 800 rows is not flagged at alpha 0.05");
            kiln_pipeline_free(p);
            kiln_frame_free(train);
            kiln_frame_free(fresh);
        }
        qsort(c.a, c.n1, sizeof *c.a, kiln_cmp_double);
        qsort(c.b, c.n2, sizeof *c.b, kiln_cmp_double);
        double d = kiln_ks_statistic(c.a, c.n1, c.b, c.n2);
        ck_assert_msg(fabs(d - c.d) <= 1e-12, "%s: D %.17g, scipy %.17g", c.name, d, c.d);
        ck_assert_msg(kiln_ks_statistic(c.b, c.n2, c.a, c.n1) == d, "%s: D is symmetric", c.name);
        double p = kiln_ks_pvalue(d, (double)c.n1, (double)c.n2);
        ck_assert_msg(fabs(p - c.p_limit) <= 1e-10 * c.p_limit + 1e-15, "%s: p %.17g, scipy.special.kolmogorov %.17g",
                      c.name, p, c.p_limit);
        ck_assert_msg(fabs(p - c.p_asymp) <= P_ASYMP_TOL, "%s: p %.6f within %g of ks_2samp asymp %.6f", c.name, p,
                      P_ASYMP_TOL, c.p_asymp);
        free(c.a);
        free(c.b);
        cases++;
    }
    fclose(f);
    ck_assert_msg(cases == 6, "all 6 fixture cases read (%d)", cases);
}
END_TEST

START_TEST(kolmogorov_tails)
{
    ck_assert_msg(kiln_kolmogorov_sf(0) == 1.0 && kiln_kolmogorov_sf(-1) == 1.0, "Q(x <= 0) = 1");
    ck_assert_msg(fabs(kiln_kolmogorov_sf(1.3580986393225507) - 0.05) < 1e-9, "Q at the 5%% critical value is 0.05");
    /* Both series agree where they meet. */
    ck_assert_msg(fabs(kiln_kolmogorov_sf(1.18 - 1e-12) - kiln_kolmogorov_sf(1.18)) < 1e-10,
                  "the small-x and large-x series agree at 1.18");
    ck_assert_msg(kiln_kolmogorov_sf(0.05) == 1.0 && kiln_kolmogorov_sf(40) == 0.0, "the tails clip to 1 and 0");
}
END_TEST

START_TEST(psi_by_hand)
{
    const double e[3] = {0.5, 0.3, 0.2}, a[3] = {0.4, 0.4, 0.2};
    double want = (0.4 - 0.5) * log(0.4 / 0.5) + (0.4 - 0.3) * log(0.4 / 0.3);
    ck_assert_msg(fabs(kiln_psi(e, a, 3) - want) < 1e-15, "PSI of three bins by hand (%.17g)", want);
    const double e2[2] = {0.5, 0.5}, a2[2] = {1.0, 0.0};
    want = 0.5 * log(2.0) + (KILN_PSI_FLOOR - 0.5) * log(KILN_PSI_FLOOR / 0.5);
    ck_assert_msg(fabs(kiln_psi(e2, a2, 2) - want) < 1e-15, "an empty bin is floored at KILN_PSI_FLOOR");
    ck_assert_msg(kiln_psi(e, e, 3) == 0, "identical shares have PSI 0");

    /* Numeric: training 1..10 puts one value in each decile bin; new rows put
     * half at 1 and half at 5. */
    double x[10], y[10], fresh[10] = {1, 1, 1, 1, 1, 5, 5, 5, 5, 5};
    for (int i = 0; i < 10; i++) {
        x[i] = i + 1;
        y[i] = 0.5 * i;
    }
    kiln_frame *train = frame_of("/tmp/kiln_psi_train.csv", x, y, 10);
    kiln_frame *nf = frame_of("/tmp/kiln_psi_new.csv", fresh, NULL, 10);
    kiln_pipeline *p = fit(train);
    kiln_drift_options o = kiln_drift_options_default();
    kiln_drift_col r;
    ck_assert_msg(kiln_drift_check(p, nf, &o, &r) == KILN_OK, "drift checked");
    want = 2 * (0.5 - 0.1) * log(0.5 / 0.1) + 8 * (KILN_PSI_FLOOR - 0.1) * log(KILN_PSI_FLOOR / 0.1);
    ck_assert_msg(fabs(r.psi - want) < 1e-12, "numeric PSI %.17g, by hand %.17g", r.psi, want);
    ck_assert_msg(fabs(r.ks - 0.5) < 1e-15, "KS of 1..10 against {1 x5, 5 x5} is 0.5 (%g)", r.ks);
    kiln_pipeline_free(p);
    kiln_frame_free(train);
    kiln_frame_free(nf);
}
END_TEST

static kiln_frame *read_text(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    fputs(text, f);
    fclose(f);
    kiln_frame *fr;
    ck_assert_msg(kiln_csv_read(path, NULL, &fr) == KILN_OK, "%s reads: %s", path, kiln_last_error());
    unlink(path);
    return fr;
}

START_TEST(categorical_psi_and_round_trip)
{
    kiln_frame *train = read_text("/tmp/kiln_cat_train.csv", "c,target\na,1.5\na,2.5\nb,3.5\nb,4.5\nb,5.5\nc,6.5\n");
    kiln_frame *fresh = read_text("/tmp/kiln_cat_new.csv", "c\na\nb\nd\nd\n\n");
    kiln_pipeline *p = fit(train);
    ck_assert_msg(p->in[0].level_count[0] == 2 && p->in[0].level_count[1] == 3 && p->in[0].level_count[2] == 1,
                  "training level counts 2, 3, 1");
    kiln_drift_options o = kiln_drift_options_default();
    kiln_drift_col r;
    ck_assert_msg(kiln_drift_check(p, fresh, &o, &r) == KILN_OK, "drift checked: %s", kiln_last_error());
    const double e[4] = {2.0 / 6, 3.0 / 6, 1.0 / 6, 0}, a[4] = {0.25, 0.25, 0, 0.5};
    ck_assert_msg(r.categorical && isnan(r.ks) && r.n_new == 4, "categorical: no KS, the missing row left out");
    ck_assert_msg(fabs(r.psi - kiln_psi(e, a, 4)) < 1e-15, "PSI over levels plus an unseen bin (%g)", r.psi);
    ck_assert_msg(r.drift, "half the rows in an unseen level is drift");

    /* The summary survives a save and a load; without it drift is refused. */
    for (int with = 1; with >= 0; with--) {
        p->has_summary = with;
        kiln_writer *w = kiln_writer_new();
        const unsigned char *bytes;
        size_t len;
        ck_assert_msg(kiln_pipeline_save(p, w) == KILN_OK && kiln_writer_finish(w, &bytes, &len) == KILN_OK,
                      "pipeline saved");
        kiln_reader *rd;
        kiln_pipeline *q;
        ck_assert_msg(kiln_reader_open_mem(bytes, len, "m.kiln", &rd) == KILN_OK, "file opens");
        ck_assert_msg(kiln_pipeline_load(&q, rd) == KILN_OK, "pipeline loads (summary %d): %s", with,
                      kiln_last_error());
        ck_assert_msg(q->has_summary == with, "the summary is there exactly when it was saved");
        kiln_status s = kiln_drift_check(q, fresh, &o, &r);
        if (with)
            ck_assert_msg(s == KILN_OK && memcmp(q->in[0].level_count, p->in[0].level_count, 4 * sizeof(double)) == 0,
                          "level counts round-trip");
        else
            ck_assert_msg(s == KILN_EINPUT && strstr(kiln_last_error(), "no training-data summary"),
                          "a model without a summary is refused: %s", kiln_last_error());
        kiln_pipeline_free(q);
        kiln_reader_free(rd);
        kiln_writer_free(w);
    }
    kiln_pipeline_free(p);
    kiln_frame_free(train);
    kiln_frame_free(fresh);
}
END_TEST

START_TEST(bad_input_is_refused)
{
    kiln_frame *train = read_text("/tmp/kiln_bad_train.csv", "x,target\n1,1.5\n2,2.5\n3,3.5\n");
    kiln_pipeline *p = fit(train);
    kiln_drift_options o = kiln_drift_options_default();
    kiln_drift_col r;
    kiln_frame *other = read_text("/tmp/kiln_bad_other.csv", "y\n1\n2\n");
    ck_assert_msg(kiln_drift_check(p, other, &o, &r) == KILN_EINPUT &&
                      strstr(kiln_last_error(), "no column 'x', which the model needs"),
                  "a missing column is named: %s", kiln_last_error());
    kiln_frame *text = read_text("/tmp/kiln_bad_text.csv", "x\na\nb\n");
    ck_assert_msg(kiln_drift_check(p, text, &o, &r) == KILN_EINPUT && strstr(kiln_last_error(), "holds text"),
                  "text in a numeric column is refused: %s", kiln_last_error());
    kiln_frame *empty = read_text("/tmp/kiln_bad_empty.csv", "x,z\n,1\n,2\n");
    ck_assert_msg(kiln_drift_check(p, empty, &o, &r) == KILN_EINPUT && strstr(kiln_last_error(), "has no values"),
                  "a column with only missing values is refused: %s", kiln_last_error());
    o.alpha = 1.5;
    ck_assert_msg(kiln_drift_check(p, train, &o, &r) == KILN_EINPUT, "alpha outside (0, 1) is refused");
    kiln_frame_free(other);
    kiln_frame_free(text);
    kiln_frame_free(empty);
    kiln_pipeline_free(p);
    kiln_frame_free(train);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("drift");
    TCase *tc = tcase_create("drift");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, ks_matches_scipy);
    tcase_add_test(tc, kolmogorov_tails);
    tcase_add_test(tc, psi_by_hand);
    tcase_add_test(tc, categorical_psi_and_round_trip);
    tcase_add_test(tc, bad_input_is_refused);
    suite_add_tcase(s, tc);
    return test_run_suite(s);
}
