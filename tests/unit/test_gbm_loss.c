/* algos/tree/loss.c: finite-difference checks of every gradient and hessian,
 * starting scores, inverse links. */
#include <check.h>
#include <math.h>
#include <stdlib.h>
#include "algos/tree/loss_impl.h"

/* Weighted loss of one row at raw scores f (k values). */
static double row_loss(const kiln_loss *L, double y, double w, const double *f, const kiln_loss_cfg *c)
{
    double l, sw;
    L->eval(&y, &w, f, 1, c, NULL, NULL, &l, &sw);
    return l;
}

/* Compare g and h of one row with central differences of the loss and of g. */
static void check_derivatives(const kiln_loss *L, double y, double w, const double *f, const kiln_loss_cfg *c)
{
    size_t k = c->k;
    float g[16], h[16], gp[16], gm[16], hh[16];
    double fp[16], fm[16], l, sw;
    L->eval(&y, &w, f, 1, c, g, h, &l, &sw);
    const double eps = 1e-5;
    for (size_t j = 0; j < k; j++) {
        for (size_t t = 0; t < k; t++)
            fp[t] = fm[t] = f[t];
        fp[j] += eps;
        fm[j] -= eps;
        double fd_g = (row_loss(L, y, w, fp, c) - row_loss(L, y, w, fm, c)) / (2 * eps);
        L->eval(&y, &w, fp, 1, c, gp, hh, &l, &sw);
        L->eval(&y, &w, fm, 1, c, gm, hh, &l, &sw);
        double fd_h = ((double)gp[j] - (double)gm[j]) / (2 * eps);
        ck_assert_msg(fabs(fd_g - g[j]) <= 1e-4 * (1 + fabs(fd_g)), "%s: gradient %zu at f=%g y=%g is %g, FD %g",
                      L->name, j, f[j], y, (double)g[j], fd_g);
        /* The float gradient limits the FD hessian to ~1e-7/eps relative accuracy. */
        ck_assert_msg(fabs(fd_h - h[j]) <= 2e-2 * (1 + fabs(fd_h)), "%s: hessian %zu at f=%g y=%g is %g, FD %g",
                      L->name, j, f[j], y, (double)h[j], fd_h);
    }
}

START_TEST(smooth_losses_match_finite_differences)
{
    kiln_loss_cfg c1 = {.k = 1, .delta = 1.5};
    const double targets[] = {-2.0, 0.3, 4.0};
    const double scores[] = {-3.1, -0.2, 0.7, 5.5};
    kiln_loss_kind kinds[] = {KILN_LOSS_SQUARED, KILN_LOSS_HUBER};
    for (size_t a = 0; a < 2; a++)
        for (size_t i = 0; i < 3; i++)
            for (size_t s = 0; s < 4; s++)
                check_derivatives(kiln_loss_get(kinds[a]), targets[i], 1.7, &scores[s], &c1);
    for (double y = 0; y <= 1; y++)
        for (size_t s = 0; s < 4; s++)
            check_derivatives(kiln_loss_get(KILN_LOSS_LOGISTIC), y, 0.8, &scores[s], &c1);
    kiln_loss_cfg c4 = {.k = 4};
    const double f[4] = {0.3, -1.2, 2.0, 0.1};
    for (double y = 0; y < 4; y++)
        check_derivatives(kiln_loss_get(KILN_LOSS_SOFTMAX), y, 1.3, f, &c4);
}
END_TEST

START_TEST(absolute_error_gradient_is_the_weighted_sign)
{
    const kiln_loss *L = kiln_loss_get(KILN_LOSS_ABSOLUTE);
    kiln_loss_cfg c = {.k = 1};
    double y[3] = {1, 1, 1}, w[3] = {2, 2, 2}, f[3] = {0, 1, 3};
    float g[3], h[3];
    double l, sw;
    L->eval(y, w, f, 3, &c, g, h, &l, &sw);
    ck_assert_msg(g[0] == -2 && g[1] == 0 && g[2] == 2, "absolute gradient is w sign(F - y)");
    ck_assert_msg(l == 6 && sw == 6, "the same pass sums the loss (2 |0-1| + 0 + 2 |3-1|) and the weights");
    ck_assert_msg(h[0] == 2 && h[2] == 2, "absolute error grows trees on unit (weighted) hessians");
    ck_assert_msg(L->median_leaves, "absolute error refits leaves to medians");
}
END_TEST

START_TEST(starting_scores_minimise_the_loss)
{
    kiln_loss_cfg c = {.k = 1, .delta = 1.0};
    double y[5] = {1, 2, 3, 4, 100}, raw0[4];
    kiln_loss_get(KILN_LOSS_SQUARED)->init(y, NULL, 5, &c, raw0);
    ck_assert_msg(fabs(raw0[0] - 22.0) < 1e-12, "squared error starts at the mean");
    kiln_loss_get(KILN_LOSS_ABSOLUTE)->init(y, NULL, 5, &c, raw0);
    ck_assert_msg(raw0[0] == 3.0, "absolute error starts at the median");
    double w[5] = {1, 1, 1, 1, 10};
    kiln_loss_get(KILN_LOSS_HUBER)->init(y, w, 5, &c, raw0);
    ck_assert_msg(raw0[0] == 100.0, "the weighted median follows the heavy row");
    double yb[4] = {0, 1, 1, 1};
    kiln_loss_get(KILN_LOSS_LOGISTIC)->init(yb, NULL, 4, &c, raw0);
    ck_assert_msg(fabs(raw0[0] - log(3.0)) < 1e-12, "logistic starts at the log-odds");
    kiln_loss_cfg c3 = {.k = 3};
    double ym[4] = {0, 2, 2, 2};
    kiln_loss_get(KILN_LOSS_SOFTMAX)->init(ym, NULL, 4, &c3, raw0);
    ck_assert_msg(fabs(raw0[0] - log(0.25)) < 1e-12 && fabs(raw0[2] - log(0.75)) < 1e-12,
                  "softmax starts at the log class priors");
    ck_assert_msg(raw0[1] < -30, "an absent class starts at a very low (finite) score");
    double zero_w[2] = {0, 0};
    ck_assert_msg(kiln_loss_get(KILN_LOSS_SQUARED)->init(y, zero_w, 2, &c, raw0) == KILN_EINPUT,
                  "zero total weight is refused");
}
END_TEST

START_TEST(inverse_links_give_probabilities)
{
    kiln_loss_cfg c1 = {.k = 1}, c3 = {.k = 3};
    double p[3], f = 0.5;
    kiln_loss_get(KILN_LOSS_LOGISTIC)->inverse_link(&f, &c1, p);
    ck_assert_msg(fabs(p[1] - 1 / (1 + exp(-0.5))) < 1e-15 && fabs(p[0] + p[1] - 1) < 1e-15,
                  "binary: column 1 is sigmoid(F), columns sum to 1");
    double big[3] = {1000, 999, -1000};
    kiln_loss_get(KILN_LOSS_SOFTMAX)->inverse_link(big, &c3, p);
    ck_assert_msg(isfinite(p[0]) && fabs(p[0] + p[1] + p[2] - 1) < 1e-15 && p[0] > p[1],
                  "softmax of huge scores stays finite and sums to 1");
    double l, sw, y = 1;
    kiln_loss_get(KILN_LOSS_LOGISTIC)->eval(&y, NULL, &(double){-800}, 1, &c1, NULL, NULL, &l, &sw);
    ck_assert_msg(fabs(l - 800) < 1e-9 && sw == 1, "log loss of a confident mistake does not overflow");
    ck_assert_msg(kiln_loss_get((kiln_loss_kind)99) == NULL, "an unknown loss kind is NULL");
}
END_TEST

START_TEST(weighted_median_handles_ties_and_halves)
{
    double v[4] = {4, 1, 3, 2}, m;
    kiln_loss_weighted_median(v, NULL, 4, &m);
    ck_assert_msg(m == 2.5, "even count: the midpoint of the two middle values");
    double w[4] = {0, 1, 1, 5};
    kiln_loss_weighted_median(v, w, 4, &m);
    ck_assert_msg(m == 2.0, "weighted median goes to the value holding half the weight");
}
END_TEST

int main(void)
{
    Suite *s = suite_create("gbm_loss");
    TCase *tc = tcase_create("loss");
    tcase_add_test(tc, smooth_losses_match_finite_differences);
    tcase_add_test(tc, absolute_error_gradient_is_the_weighted_sign);
    tcase_add_test(tc, starting_scores_minimise_the_loss);
    tcase_add_test(tc, inverse_links_give_probabilities);
    tcase_add_test(tc, weighted_median_handles_ties_and_halves);
    suite_add_tcase(s, tc);
    SRunner *r = srunner_create(s);
    srunner_run_all(r, CK_NORMAL);
    int failed = srunner_ntests_failed(r);
    srunner_free(r);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
