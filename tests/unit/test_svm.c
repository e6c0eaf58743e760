/* svm: liblinear's objective and held-out accuracy against scikit-learn's LinearSVC
 * (tests/data/linear/make_linear_fixtures.py), every solver, class weights, bad
 * parameters, determinism, the converged flag, inspect and the save/load round trip. */
#include <math.h>
#include "linear_fixture.h"
#include "algos/linear/linear_impl.h"
#include "testrun.h"

/* Same formula as svm_objectives() in the fixture script. */
static double svm_objective(const kiln_linmodel *m, const kiln_dataset *ds, size_t r, double C, const double *cw,
                            int hinge, int l1)
{
    size_t k = ds->n_classes, cls = k == 2 ? 1 : r, d = m->d;
    const double *w = m->coef + r * d;
    double reg = l1 ? fabs(m->intercept[r]) : 0.5 * m->intercept[r] * m->intercept[r], loss = 0;
    for (size_t j = 0; j < d; j++)
        reg += l1 ? fabs(w[j]) : 0.5 * w[j] * w[j];
    for (size_t i = 0; i < ds->X.rows; i++) {
        size_t c = (size_t)ds->y[i];
        double y = c == cls ? 1 : -1, Ci = C * (c == cls ? cw[cls] : (k == 2 ? cw[0] : 1.0));
        double f = m->intercept[r];
        for (size_t j = 0; j < d; j++)
            f += w[j] * KILN_MAT_AT(&ds->X, i, j);
        double h = fmax(0, 1 - y * f);
        loss += Ci * (hinge ? h : h * h);
    }
    return reg + loss;
}

static void balanced(const kiln_dataset *ds, double *cw)
{
    for (size_t c = 0; c < ds->n_classes; c++)
        cw[c] = 0;
    for (size_t i = 0; i < ds->X.rows; i++)
        cw[(size_t)ds->y[i]] += 1;
    for (size_t c = 0; c < ds->n_classes; c++)
        cw[c] = (double)ds->X.rows / ((double)ds->n_classes * cw[c]);
}

static const struct {
    const char *ds;
    size_t k;
} sets[] = {{"breast_cancer", 2}, {"wine", 3}, {"digits", 10}};

static const struct {
    const char *name, *settings;
    double C;
    int hinge, l1, bal;
} cases[] = {
    {"primal", "dual=false", 1.0, 0, 0, 0},
    {"balanced", "dual=false class_weight=balanced", 1.0, 0, 0, 1},
    {"l1", "penalty=l1 C=0.1", 0.1, 0, 1, 0},
    {"dual", "dual=true max_iter=20000", 1.0, 0, 0, 0},
    {"hinge", "loss=hinge max_iter=20000", 1.0, 1, 0, 0},
};

/* Loop index: data set x case. */
START_TEST(matches_sklearn_objective_and_accuracy)
{
    size_t si = (size_t)_i / 5, ci = (size_t)_i % 5;
    lin_split tr, te;
    lin_split_load(&tr, sets[si].ds, "train", sets[si].k);
    lin_split_load(&te, sets[si].ds, "test", sets[si].k);
    char rel[256];
    snprintf(rel, sizeof rel, "tests/data/linear/%s_svm_%s.csv", sets[si].ds, cases[ci].name);
    kiln_mat *ref = test_load_matrix(rel);
    snprintf(rel, sizeof rel, "tests/data/linear/%s_svm_%s_acc.csv", sets[si].ds, cases[ci].name);
    kiln_mat *acc = test_load_matrix(rel);
    void *model = NULL;
    ck_assert_msg(lin_fit("svm", cases[ci].settings, &tr.ds, 2, &model) == KILN_OK, "svm fits %s/%s: %s",
                  sets[si].ds, cases[ci].name, kiln_last_error());
    const kiln_linmodel *m = model;
    if (KILN_MAT_AT(acc, 0, 1) == 1)
        ck_assert_msg(m->converged, "svm converges on %s/%s, as liblinear does", sets[si].ds, cases[ci].name);
    double cw[10] = {1, 1, 1, 1, 1, 1, 1, 1, 1, 1};
    if (cases[ci].bal)
        balanced(&tr.ds, cw);
    for (size_t r = 0; r < m->rows; r++) {
        double mine = svm_objective(m, &tr.ds, r, cases[ci].C, cw, cases[ci].hinge, cases[ci].l1);
        double theirs = KILN_MAT_AT(ref, r, 0);
        ck_assert_msg(fabs(mine - theirs) <= 1e-4 * theirs, "%s/%s row %zu: objective %.10g vs sklearn %.10g",
                      sets[si].ds, cases[ci].name, r, mine, theirs);
    }
    kiln_mat *scores = lin_predict("svm", model, &te.ds.X, sets[si].k);
    double a = lin_accuracy(scores, te.y);
    ck_assert_msg(fabs(a - KILN_MAT_AT(acc, 0, 0)) <= 0.002 + 1e-12, "%s/%s: accuracy %.4f vs sklearn %.4f",
                  sets[si].ds, cases[ci].name, a, KILN_MAT_AT(acc, 0, 0));
    lin_check_roundtrip("svm", model, &te.ds.X, sets[si].k);
    kiln_mat_free(scores);
    kiln_mat_free(ref);
    kiln_mat_free(acc);
    kiln_algo_find("svm")->free(model);
    lin_split_free(&tr);
    lin_split_free(&te);
}
END_TEST

START_TEST(binary_scores_are_antisymmetric)
{
    lin_split tr;
    lin_split_load(&tr, "breast_cancer", "train", 2);
    void *model;
    ck_assert_msg(lin_fit("svm", "", &tr.ds, 1, &model) == KILN_OK, "svm fits");
    kiln_mat *s = lin_predict("svm", model, &tr.ds.X, 2);
    for (size_t i = 0; i < s->rows; i++)
        ck_assert_msg(KILN_MAT_AT(s, i, 0) == -KILN_MAT_AT(s, i, 1), "binary column 0 is -f(x)");
    kiln_mat_free(s);
    kiln_algo_find("svm")->free(model);
    lin_split_free(&tr);
}
END_TEST

START_TEST(same_seed_same_model_for_any_thread_count)
{
    lin_split tr;
    lin_split_load(&tr, "wine", "train", 3);
    const char *settings[] = {"dual=true", "penalty=l1", "dual=false"};
    for (int s = 0; s < 3; s++) {
        void *m1, *m2;
        ck_assert_msg(lin_fit("svm", settings[s], &tr.ds, 1, &m1) == KILN_OK, "fit with 1 thread");
        ck_assert_msg(lin_fit("svm", settings[s], &tr.ds, 2, &m2) == KILN_OK, "fit with 2 threads");
        const kiln_linmodel *a = m1, *b = m2;
        ck_assert_msg(memcmp(a->coef, b->coef, a->rows * a->d * sizeof(double)) == 0 &&
                          memcmp(a->intercept, b->intercept, a->rows * sizeof(double)) == 0,
                      "%s: 1 and 2 threads give identical coefficients", settings[s]);
        kiln_linmodel_free(m1);
        kiln_linmodel_free(m2);
    }
    lin_split_free(&tr);
}
END_TEST

START_TEST(iteration_limit_is_reported)
{
    lin_split tr;
    lin_split_load(&tr, "digits", "train", 10);
    const char *settings[] = {"dual=true max_iter=2", "dual=false max_iter=1", "penalty=l1 max_iter=1"};
    for (int s = 0; s < 3; s++) {
        void *m;
        ck_assert_msg(lin_fit("svm", settings[s], &tr.ds, 2, &m) == KILN_OK, "%s fits", settings[s]);
        ck_assert_msg(kiln_algo_find("svm")->warning(m) != NULL, "%s: stopping at max_iter is reported", settings[s]);
        char *buf;
        size_t len;
        FILE *f = open_memstream(&buf, &len);
        kiln_inspect_args args = {.format = KILN_INSPECT_JSON};
        ck_assert_msg(kiln_algo_find("svm")->inspect(m, &args, f) == KILN_OK, "inspect json");
        fclose(f);
        ck_assert_msg(strstr(buf, "\"converged\": false") != NULL, "inspect json says converged false: %s", buf);
        free(buf);
        kiln_linmodel_free(m);
    }
    lin_split_free(&tr);
}
END_TEST

START_TEST(inspect_names_features_and_classes)
{
    lin_split tr;
    lin_split_load(&tr, "wine", "train", 3);
    void *m;
    ck_assert_msg(lin_fit("svm", "", &tr.ds, 1, &m) == KILN_OK, "svm fits");
    const char *classes[] = {"barolo", "grignolino", "barbera"};
    const char *feats[13] = {"alcohol", "malic_acid"};
    for (int j = 2; j < 13; j++)
        feats[j] = "other";
    kiln_inspect_args args = {.format = KILN_INSPECT_TEXT, .feature_names = feats, .n_features = 13,
                              .class_names = classes, .n_classes = 3};
    char *buf;
    size_t len;
    FILE *f = open_memstream(&buf, &len);
    ck_assert_msg(kiln_algo_find("svm")->inspect(m, &args, f) == KILN_OK, "inspect text");
    fclose(f);
    ck_assert_msg(strstr(buf, "class barbera: intercept") && strstr(buf, "malic_acid") && strstr(buf, "converged"),
                  "text names classes, features and convergence: %s", buf);
    free(buf);
    args.format = KILN_INSPECT_DOT;
    f = open_memstream(&buf, &len);
    ck_assert_msg(kiln_algo_find("svm")->inspect(m, &args, f) == KILN_EINPUT, "no DOT view for a linear model");
    fclose(f);
    free(buf);
    double imp[13], total = 0;
    ck_assert_msg(kiln_algo_find("svm")->importance(m, imp, 13) == KILN_OK, "importance");
    for (int j = 0; j < 13; j++)
        total += imp[j];
    ck_assert_msg(fabs(total - 1) < 1e-12, "importances sum to 1");
    kiln_linmodel_free(m);
    lin_split_free(&tr);
}
END_TEST

START_TEST(bad_parameters_are_refused)
{
    const kiln_algo *a = kiln_algo_find("svm");
    kiln_params p;
    kiln_params_defaults(&p, a->params);
    ck_assert_msg(kiln_params_set(&p, "C=0") == KILN_EINPUT, "C=0 is refused");
    ck_assert_msg(kiln_params_set(&p, "C=-1") == KILN_EINPUT, "C<0 is refused");
    lin_split tr;
    lin_split_load(&tr, "breast_cancer", "train", 2);
    const char *bad[] = {"penalty=l1 loss=hinge", "penalty=l1 dual=true", "loss=hinge dual=false",
                         "class_weight=heavy", "class_weight=0:1,5:2", "class_weight=1:0"};
    for (int s = 0; s < 6; s++) {
        void *m = NULL;
        ck_assert_msg(lin_fit("svm", bad[s], &tr.ds, 1, &m) == KILN_EINPUT, "%s is refused", bad[s]);
        ck_assert_msg(m == NULL, "%s: nothing is returned", bad[s]);
        ck_assert_msg(strstr(kiln_last_error(), "svm") || strstr(kiln_last_error(), "class_weight"),
                      "%s: the message names the problem: %s", bad[s], kiln_last_error());
    }
    void *m;
    ck_assert_msg(lin_fit("svm", "class_weight=0:1,1:3", &tr.ds, 1, &m) == KILN_OK, "explicit class weights fit");
    kiln_linmodel_free(m);
    kiln_dataset reg = tr.ds;
    reg.task = KILN_TASK_REGRESS;
    ck_assert_msg(lin_fit("svm", "", &reg, 1, &m) == KILN_EINPUT, "svm refuses regression");
    lin_split_free(&tr);
}
END_TEST

START_TEST(row_weights_scale_the_cost)
{
    /* Doubling every row weight is C doubled. */
    lin_split tr;
    lin_split_load(&tr, "breast_cancer", "train", 2);
    double *w = malloc(tr.ds.X.rows * sizeof *w);
    for (size_t i = 0; i < tr.ds.X.rows; i++)
        w[i] = 2;
    kiln_dataset wd = tr.ds;
    wd.w = w;
    void *m1, *m2;
    ck_assert_msg(lin_fit("svm", "dual=false", &wd, 1, &m1) == KILN_OK, "weighted fit");
    ck_assert_msg(lin_fit("svm", "dual=false C=2", &tr.ds, 1, &m2) == KILN_OK, "C=2 fit");
    const kiln_linmodel *a = m1, *b = m2;
    for (size_t j = 0; j < a->d; j++)
        ck_assert_msg(fabs(a->coef[j] - b->coef[j]) < 1e-9, "weights 2 == C 2 (coef %zu)", j);
    kiln_linmodel_free(m1);
    kiln_linmodel_free(m2);
    free(w);
    lin_split_free(&tr);
}
END_TEST

START_TEST(cancel_stops_every_solver)
{
    lin_split tr;
    lin_split_load(&tr, "wine", "train", 3);
    const char *settings[] = {"dual=true", "dual=false", "penalty=l1"};
    volatile int stop = 1;
    for (int s = 0; s < 3; s++) {
        const kiln_algo *a = kiln_algo_find("svm");
        kiln_params p;
        kiln_params_defaults(&p, a->params);
        char buf[64];
        snprintf(buf, sizeof buf, "%s", settings[s]);
        ck_assert_msg(kiln_params_set(&p, buf) == KILN_OK, "setting parses");
        kiln_ctx ctx = kiln_ctx_default();
        ctx.threads = 2;
        ctx.cancel = &stop;
        void *m = NULL;
        ck_assert_msg(a->fit(&m, &p, &tr.ds, &ctx) == KILN_ECANCEL && m == NULL, "%s: a set cancel flag stops the fit",
                      settings[s]);
    }
    lin_split_free(&tr);
}
END_TEST

START_TEST(a_file_of_another_estimator_is_refused)
{
    lin_split tr;
    lin_split_load(&tr, "wine", "train", 3);
    void *m;
    ck_assert_msg(lin_fit("ridge", "", &tr.ds, 1, &m) == KILN_OK, "ridge fits");
    kiln_writer *w = kiln_writer_new();
    ck_assert_msg(kiln_algo_find("ridge")->save(m, w) == KILN_OK, "ridge saves");
    const unsigned char *bytes;
    size_t len;
    kiln_writer_finish(w, &bytes, &len);
    kiln_reader *r;
    ck_assert_msg(kiln_reader_open_mem(bytes, len, "ridge.kiln", &r) == KILN_OK, "file opens");
    void *back = NULL;
    ck_assert_msg(kiln_algo_find("svm")->load(&back, r) == KILN_EINPUT && back == NULL,
                  "svm refuses a ridge model section");
    ck_assert_msg(strstr(kiln_last_error(), "svm") != NULL, "the message names the expected model");
    kiln_reader_free(r);
    kiln_writer_free(w);
    kiln_linmodel_free(m);
    lin_split_free(&tr);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("svm");
    TCase *tc = tcase_create("svm");
    tcase_set_timeout(tc, 120);
    tcase_add_loop_test(tc, matches_sklearn_objective_and_accuracy, 0, 15);
    tcase_add_test(tc, binary_scores_are_antisymmetric);
    tcase_add_test(tc, same_seed_same_model_for_any_thread_count);
    tcase_add_test(tc, iteration_limit_is_reported);
    tcase_add_test(tc, inspect_names_features_and_classes);
    tcase_add_test(tc, bad_parameters_are_refused);
    tcase_add_test(tc, row_weights_scale_the_cost);
    tcase_add_test(tc, cancel_stops_every_solver);
    tcase_add_test(tc, a_file_of_another_estimator_is_refused);
    suite_add_tcase(s, tc);
    return test_run_suite(s);
}
